//! Measures argon2id hash and verify time with the production parameters.
//!
//! Run with `cargo run --release -p zhifa-auth --example hash_time`; the figure goes into
//! `docs/auth.md`.

use std::time::{Duration, Instant};

use ring::rand::SystemRandom;
use zhifa_auth::{PasswordParams, hash_password, verify_password};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<(), zhifa_auth::AuthError> {
    let rng = SystemRandom::new();
    let runs = 21;
    let options = [
        ("owasp (production default)", PasswordParams::owasp()),
        (
            "rfc9106 second option (for comparison)",
            PasswordParams { memory_kib: 64 * 1024, iterations: 3, parallelism: 4 },
        ),
        ("testing (tests only)", PasswordParams::testing()),
    ];
    for (name, params) in options {
        let mut hash_times = Vec::with_capacity(runs);
        let mut verify_times = Vec::with_capacity(runs);
        let mut hash = String::new();
        for _ in 0..runs {
            let start = Instant::now();
            hash = hash_password("巡查2024abc", &params, &rng)?;
            hash_times.push(start.elapsed());
            let start = Instant::now();
            assert!(verify_password(&hash, "巡查2024abc")?);
            verify_times.push(start.elapsed());
        }
        let (min, max) = (hash_times.iter().min().copied(), hash_times.iter().max().copied());
        println!(
            "{name}: m={} KiB, t={}, p={}: hash median {:.1?} (min {:.1?}, max {:.1?}), verify median {:.1?}, {runs} runs",
            params.memory_kib,
            params.iterations,
            params.parallelism,
            median(hash_times),
            min.unwrap_or_default(),
            max.unwrap_or_default(),
            median(verify_times),
        );
        println!("  e.g. {hash}");
    }
    Ok(())
}
