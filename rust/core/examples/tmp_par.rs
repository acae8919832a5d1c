use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use std::time::Instant;
fn main() {
    for d in [50usize, 100, 200, 500] {
        let a = Mat::from_fn(d, d, |i, j| ((i * 7919 + j * 104729) % 1000) as f64 / 1000.0 - 0.5);
        let b = Mat::from_fn(d, d, |i, j| ((i * 31 + j * 17) % 997) as f64 / 997.0 - 0.5);
        let mut c1 = Mat::<f64>::zeros(d, d);
        let mut c2 = Mat::<f64>::zeros(d, d);
        let reps = (50_000_000 / (d * d * d)).max(3);
        let t = Instant::now();
        for _ in 0..reps { matmul(c1.as_mut(), Accum::Replace, a.as_ref(), b.as_ref(), 1.0, Par::Seq); }
        let ts = t.elapsed().as_secs_f64() / reps as f64;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let tp = pool.install(|| {
            let t = Instant::now();
            for _ in 0..reps { matmul(c2.as_mut(), Accum::Replace, a.as_ref(), b.as_ref(), 1.0, Par::rayon(2)); }
            t.elapsed().as_secs_f64() / reps as f64
        });
        println!("d={d}: seq {:.1} us, par2 {:.1} us, identical {}", ts * 1e6, tp * 1e6, c1 == c2);
    }
}
