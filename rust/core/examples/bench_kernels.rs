//! Times the kernels one NOTEARS or DAGMA evaluation is made of: `cargo run --release --example bench_kernels`.
use acyclic_core::acyclicity::Penalty;
use acyclic_core::linalg::{expm, mul};
use faer::Mat;
use std::time::Instant;

// The allocator of the Python extension, so that timings match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    faer::set_global_parallelism(faer::Par::Seq);
    for d in [20usize, 50, 100, 200] {
        let w = Mat::from_fn(d, d, |i, j| {
            if i == j {
                0.0
            } else {
                (((i * 7919 + j * 104729) % 1000) as f64 / 1000.0 - 0.5) * 0.6
            }
        });
        let a = Mat::from_fn(d, d, |i, j| w[(i, j)] * w[(i, j)]);
        let reps = (2_000_000 / (d * d * d)).max(5);
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(mul(a.as_ref(), a.as_ref()));
        }
        let t_mul = t.elapsed().as_secs_f64() / reps as f64;
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(expm(a.as_ref()).unwrap());
        }
        let t_expm = t.elapsed().as_secs_f64() / reps as f64;
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(Penalty::Expm.value_grad(w.as_ref()).unwrap());
        }
        let t_pen = t.elapsed().as_secs_f64() / reps as f64;
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(Penalty::LogDet { s: 0.1 * d as f64 + 1.0 }.value_grad(w.as_ref()).unwrap());
        }
        let t_logdet = t.elapsed().as_secs_f64() / reps as f64;
        let m = Mat::from_fn(d, d, |i, j| if i == j { 0.1 * d as f64 + 1.0 } else { -a[(i, j)] });
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(acyclic_core::mmatrix::inverse_logdet(m.as_ref()).unwrap());
        }
        let t_inverse = t.elapsed().as_secs_f64() / reps as f64;
        println!(
            "d={d}: matmul {:.1} us, expm {:.1} us, expm penalty {:.1} us, logdet penalty {:.1} us (M-matrix inverse {:.1} us)",
            t_mul * 1e6,
            t_expm * 1e6,
            t_pen * 1e6,
            t_logdet * 1e6,
            t_inverse * 1e6
        );
    }
}
