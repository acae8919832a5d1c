//! Runs NOTEARS on a simulated ER2 data set read from a raw little-endian f64 file
//! (n×d, row-major) for profiling: `cargo run --release --example profile_notears -- X.bin n d`.
use acyclic_core::learners::notears::{fit, Config};
use acyclic_core::loss::Loss;
use acyclic_core::progress::Silent;
use faer::Mat;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).expect("data file");
    let n: usize = args[2].parse().unwrap();
    let d: usize = args[3].parse().unwrap();
    let values: Vec<f64> = bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    let x = Mat::from_fn(n, d, |i, j| values[i * d + j]);
    faer::set_global_parallelism(faer::Par::Seq);
    let loss = Loss::least_squares_from_data(x.as_ref()).unwrap();
    let start = Instant::now();
    let out = fit(&loss, &Config::default(), &mut Silent).unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!("{secs:.2} s, {} evals, {:.1} us/eval, h {:.2e}, iters {}", out.n_evals, secs / out.n_evals as f64 * 1e6, out.h, out.n_iter);
}
