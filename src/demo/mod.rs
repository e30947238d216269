//! Synthetic, realistic Kubecost data written with our own encoder: the workload generator used
//! by `costscope bench`, and the demo bucket of `costscope demo`.

pub mod bucket;
pub mod rng;
pub mod savings;
pub mod workload;
