//! What std would provide, for the npm build without std: an allocator and a panic handler.
//!
//! A panic is a bug here (clippy denies unwrap, expect, panic and indexing in `src/`); should
//! one happen anyway, the module traps, as it would with std's `panic = "abort"`.

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

// lol_alloc's free list (coalescing, single-threaded like this module): about 1 KB of code
// where std's dlmalloc is 5.8 KB and talc 2.8 KB; the library allocates little and briefly.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: the module is not built with threads (no `atomics` target feature).
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
