//! What std would provide, for the npm build without std: an allocator and a panic handler.
//!
//! A panic is a bug here (clippy denies unwrap, expect, panic and indexing in `src/`); should
//! one happen anyway, the module traps, as it would with std's `panic = "abort"`.

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

// Talc's wasm flavour: grows linear memory on demand, coalesces freed blocks, 1.1 KB gz
// smaller than the dlmalloc std would bring.
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
