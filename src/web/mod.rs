//! The browser shell: the only part of the crate that touches web APIs (sessionStorage,
//! location, history, crypto, fetch). Policy lives in the pure core; this module applies it.

mod browser;
mod client;
mod exports;
mod js;
mod storage;

pub use client::{Client, WebError};
