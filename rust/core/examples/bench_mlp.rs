//! Time of one MLP loss + gradient evaluation (the nonlinear learners' kernel), one thread.
//!
//!     cargo run --release -p acyclic-core --example bench_mlp -- 20 1000 10

use acyclic_core::mlp::{Activation, Mlp};
use faer::Mat;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

// The allocator of the Python extension, so that timings match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("integers: d n hidden")).collect();
    let (d, n, hidden) =
        (args.first().copied().unwrap_or(20), args.get(1).copied().unwrap_or(1000), args.get(2).copied().unwrap_or(10));
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let x = Mat::from_fn(n, d, |_, _| rng.random_range(-1.0..1.0));
    let mlp = Mlp::new(d, &[hidden], Activation::Sigmoid, &mut rng).unwrap();
    let mut grad = vec![0.0; mlp.params.len()];
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    pool.install(|| {
        let mut total = 0.0;
        for _ in 0..20 {
            total += mlp.squared_error_grad(x.as_ref(), None, None, 1.0, &mut grad, None);
        }
        let reps = 500;
        let start = Instant::now();
        for _ in 0..reps {
            total += mlp.squared_error_grad(x.as_ref(), None, None, 1.0, &mut grad, None);
        }
        let per = start.elapsed().as_secs_f64() / reps as f64;
        println!("d={d} n={n} hidden={hidden}: {:.1} µs per evaluation (checksum {total:.6e})", per * 1e6);
    });
}
