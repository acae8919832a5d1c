//! Runs a learner on data read from a raw little-endian f64 file (n×d, row-major), for
//! profiling: `cargo run --release --example profile_fit -- notears|dagma|dagma-adam|dagma-lbfgs|dpdag X.bin n d`.
use acyclic_core::learners::{dagma, dpdag, notears};
use acyclic_core::loss::Loss;
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
    let loss = Loss::least_squares_from_data(x.as_ref()).unwrap();
    let start = Instant::now();
    let (raw, weights, n_evals, h) = match args[1].as_str() {
        "dpdag" => {
            // the linear mechanism with acyclic.DPDAG's defaults, on centred data
            let means: Vec<f64> = (0..d).map(|j| x.col(j).iter().sum::<f64>() / n as f64).collect();
            let centred = Mat::from_fn(n, d, |i, j| x[(i, j)] - means[j]);
            let config = dpdag::Config {
                hidden: vec![],
                lambda_kl: 0.1,
                prior: 0.01,
                tau: 1.0,
                lr_graph: 1e-2,
                lr_mech: 1e-2,
                batch_size: 64,
                max_iter: 5000,
                patience: 500,
                tol: 1e-2,
                validation_fraction: 0.1,
                edge_threshold: 0.5,
                seed: 0,
                refit: false,
                refit_orders: 0,
                forbidden: None,
                required: None,
            };
            let out = dpdag::fit(centred.as_ref(), &config, &mut Silent).unwrap();
            eprintln!("epochs {} best {}", out.n_iter, out.best_epoch);
            (out.raw_weights, out.weights, out.n_steps, 0.0)
        }
        "notears" => {
            let out = notears::fit(&loss, &notears::Config::default(), &mut Silent).unwrap();
            (out.raw_weights, out.weights, out.n_evals, out.h)
        }
        method => {
            let solver = match method {
                "dagma-adam" => dagma::InnerSolver::Adam,
                "dagma-lbfgs" => dagma::InnerSolver::Lbfgs,
                _ => dagma::InnerSolver::Hybrid,
            };
            let config = dagma::Config { solver, ..dagma::Config::default() };
            let out = dagma::fit(&loss, &config, &mut Silent).unwrap();
            eprintln!("history {:?} s {:?}", out.history, out.s_used);
            (out.raw_weights, out.weights, out.n_evals, out.h)
        }
    };
    let secs = start.elapsed().as_secs_f64();
    let edges = (0..d).flat_map(|i| (0..d).map(move |j| (i, j))).filter(|&(i, j)| weights[(i, j)] != 0.0).count();
    let _ = raw;
    println!("{secs:.2} s, {n_evals} evals, {:.1} us/eval, h {h:.2e}, {edges} edges", secs / n_evals as f64 * 1e6);
}
