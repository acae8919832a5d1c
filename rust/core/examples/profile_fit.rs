//! Runs a learner on data read from a raw little-endian f64 file (n×d, row-major), for
//! profiling: `cargo run --release --example profile_fit -- notears|dagma|dagma-adam|dagma-lbfgs|dpdag X.bin n d`.
use acyclic_core::learners::{dagma, dpdag, Auto, LearnerConfig, Prior};
use acyclic_core::progress::Silent;
use faer::Mat;
use std::time::Instant;

// The allocator of the Python extension, so that timings match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: profile_fit notears|dagma|dagma-adam|dagma-lbfgs|dpdag X.bin n d");
        std::process::exit(2);
    }
    let bytes = std::fs::read(&args[2]).expect("data file");
    let (n, d): (usize, usize) = (args[3].parse().expect("n"), args[4].parse().expect("d"));
    let values: Vec<f64> = bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    let x = Mat::from_fn(n, d, |i, j| values[i * d + j]);
    faer::set_global_parallelism(faer::Par::Seq);
    // every learner gets centred data, as from the Python estimators
    let means: Vec<f64> = (0..d).map(|j| x.col(j).iter().sum::<f64>() / n as f64).collect();
    let centred = Mat::from_fn(n, d, |i, j| x[(i, j)] - means[j]);
    let config = match args[1].as_str() {
        // the linear mechanism without the refit
        "dpdag" => LearnerConfig::Dpdag(dpdag::Config {
            lambda_kl: Auto::Value(0.1),
            lr_mech: Auto::Value(1e-2),
            patience: Auto::Value(500),
            refit: Auto::Value(false),
            refit_orders: 0,
            ..Default::default()
        }),
        "notears" => LearnerConfig::defaults("notears").unwrap(),
        method => {
            let solver = match method {
                "dagma-adam" => dagma::InnerSolver::Adam,
                "dagma-lbfgs" => dagma::InnerSolver::Lbfgs,
                _ => dagma::InnerSolver::Hybrid,
            };
            LearnerConfig::Dagma(dagma::Config { solver, ..Default::default() })
        }
    };
    let start = Instant::now();
    let fitted = config.fit(centred, None, None, &Prior::default(), &mut Silent).unwrap();
    let n_evals = match fitted.extra("n_evals").or(fitted.extra("n_steps")) {
        Some(acyclic_core::learners::Value::Int(k)) => *k as usize,
        _ => 1,
    };
    let h = match fitted.extra("h") {
        Some(acyclic_core::learners::Value::Float(h)) => *h,
        _ => 0.0,
    };
    let weights = fitted.weights;
    let secs = start.elapsed().as_secs_f64();
    let edges = (0..d).flat_map(|i| (0..d).map(move |j| (i, j))).filter(|&(i, j)| weights[(i, j)] != 0.0).count();
    println!("{secs:.2} s, {n_evals} evals, {:.1} us/eval, h {h:.2e}, {edges} edges", secs / n_evals as f64 * 1e6);
}
