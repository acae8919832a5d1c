//! Time per SVGD step of BaCaDI (unknown targets) on the reference's linear-Gaussian setting:
//! ER graph with 2d expected edges, weights ±U[0.5, 2), 100 observational rows and d
//! single-node environments of 10 rows. Prints ms per step and the SHD of the point estimate.
//!
//! cargo run --release -p acyclic-core --example bench_bacadi -- <d> <steps> [threads] [seed]
use acyclic_core::learners::bacadi::Config;
use acyclic_core::learners::{Data, Environments, Learner, Prior};
use acyclic_core::progress::{Progress, Status};
use acyclic_core::simulate::interventional::{Environments as Design, Equations, InterventionValues, ValueSign};
use acyclic_core::simulate::{simulate_dag, simulate_interventional_sem, simulate_parameter, GraphType, LinearNoise};
use std::time::Instant;

/// Prints the time of every 250 steps and the number of cyclic particles.
struct Phases(Instant);

impl Progress for Phases {
    fn report(&mut self, status: &Status<'_>) {
        if status.iteration.is_multiple_of(250) {
            let cyclic = status.quantities.iter().find(|q| q.0 == "cyclic").map_or(0.0, |q| q.1);
            eprintln!(
                "step {}: {:.1} ms/step over the last 250, {cyclic} cyclic",
                status.iteration,
                self.0.elapsed().as_secs_f64() * 4.0
            );
            self.0 = Instant::now();
        }
    }
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    let (d, steps) = (args.first().copied().unwrap_or(20), args.get(1).copied().unwrap_or(50));
    let threads = args.get(2).copied().unwrap_or(1);
    let seed = args.get(3).copied().unwrap_or(0) as u64;
    let b = simulate_dag(d, 2 * d, GraphType::Er, seed).unwrap();
    let w = simulate_parameter(b.as_ref(), &[(-2.0, -0.5), (0.5, 2.0)], seed).unwrap();
    let design = Design { n_obs: 100, targets: (0..d).map(|j| vec![j]).collect(), n_per_environment: vec![10; d] };
    let values = InterventionValues { loc: 5.0, scale: 2.0, sign: ValueSign::Random, row_noise: Some(0.5f64.sqrt()) };
    let scale = vec![0.1f64.sqrt(); d];
    let sample = simulate_interventional_sem(
        w.as_ref(),
        &design,
        Equations::Linear,
        LinearNoise::Gauss,
        &scale,
        values,
        1,
        seed,
    )
    .unwrap();
    let env = Environments::new(sample.environments.clone(), sample.x.nrows()).unwrap();
    let data = Data { x: sample.x.as_ref(), intervened: None, environments: Some(&env), summary: None };
    let config = Config { n_steps: steps, seed, ..Default::default() };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let start = Instant::now();
    let fitted = pool.install(|| config.fit(&data, &Prior::default(), &mut Phases(Instant::now()))).unwrap();
    let secs = start.elapsed().as_secs_f64();
    let mut shd = 0;
    for i in 0..d {
        for j in 0..i {
            let t = (b[(i, j)] != 0.0, b[(j, i)] != 0.0);
            let e = (fitted.adjacency[i * d + j], fitted.adjacency[j * d + i]);
            if t != e {
                shd += 1;
            }
        }
    }
    println!("d={d} steps={steps} threads={threads}: {:.2} ms/step, total {:.1} s, edges true {} found {}, SHD {shd}, n_cyclic {:?}",
        1e3 * secs / steps as f64, secs, b.col_iter().flat_map(|c| c.iter().copied().collect::<Vec<_>>()).filter(|&v| v != 0.0).count(),
        fitted.adjacency.iter().filter(|&&a| a).count(), fitted.extra("n_cyclic"));
}
