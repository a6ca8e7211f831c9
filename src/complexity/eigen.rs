//! The eigenvector behind ECI and PCI. `Mpp = D⁻¹ Mᵀ K⁻¹ M` (D the products' ubiquities, K the
//! countries' diversities) is similar to the symmetric `A = D^-1/2 Mᵀ K⁻¹ M D^-1/2`, whose
//! largest eigenvalue is 1 with eigenvector `D^1/2·1`. The second is found by a dense symmetric
//! eigensolver for small product spaces and by Lanczos iteration (with the first eigenvector
//! deflated and full reorthogonalisation) for large ones, where `A` is applied through the
//! sparse presence matrix and never formed.

use nalgebra::{DMatrix, SymmetricEigen};

/// Below this many products the dense solver is used.
const DENSE_UP_TO: usize = 400;

/// `rows[c]`: the products country `c` exports with advantage; `weights[c] = 1 / diversity`;
/// `sqrt_u[p] = √ubiquity`. Returns the second eigenvalue of `A` and its unit eigenvector.
pub fn second_eigenvector(
    rows: &[Vec<usize>],
    weights: &[f64],
    sqrt_u: &[f64],
) -> Result<(f64, Vec<f64>), String> {
    let n = sqrt_u.len();
    let (values, vector) = if n <= DENSE_UP_TO {
        dense(rows, weights, sqrt_u)
    } else {
        lanczos(rows, weights, sqrt_u)
    };
    if values.0 > 1.0 - 1e-10 {
        return Err(
            "the country–product network falls apart into groups that share no product: \
                    the second eigenvalue is 1 and ECI is not defined"
                .into(),
        );
    }
    if (values.0 - values.1).abs() < 1e-12 {
        return Err("the second eigenvalue is not unique: ECI is not defined".into());
    }
    Ok((values.0, vector))
}

/// `y = A x`, through the sparse presence matrix.
fn apply(rows: &[Vec<usize>], weights: &[f64], sqrt_u: &[f64], x: &[f64], y: &mut [f64]) {
    y.iter_mut().for_each(|v| *v = 0.0);
    for (products, w) in rows.iter().zip(weights) {
        let s: f64 = products.iter().map(|&p| x[p] / sqrt_u[p]).sum::<f64>() * w;
        for &p in products {
            y[p] += s;
        }
    }
    for (v, s) in y.iter_mut().zip(sqrt_u) {
        *v /= s;
    }
}

/// ((second eigenvalue, third eigenvalue), second eigenvector).
fn dense(rows: &[Vec<usize>], weights: &[f64], sqrt_u: &[f64]) -> ((f64, f64), Vec<f64>) {
    let n = sqrt_u.len();
    let mut a = DMatrix::<f64>::zeros(n, n);
    for (products, w) in rows.iter().zip(weights) {
        for &p in products {
            for &q in products {
                a[(p, q)] += w;
            }
        }
    }
    for p in 0..n {
        for q in 0..n {
            a[(p, q)] /= sqrt_u[p] * sqrt_u[q];
        }
    }
    let eigen = SymmetricEigen::new(a);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| eigen.eigenvalues[j].total_cmp(&eigen.eigenvalues[i]));
    let second = order[1];
    let third = order
        .get(2)
        .map_or(f64::NEG_INFINITY, |&i| eigen.eigenvalues[i]);
    let vector = eigen.eigenvectors.column(second).iter().copied().collect();
    ((eigen.eigenvalues[second], third), vector)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

fn normalise(v: &mut [f64]) -> f64 {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    norm
}

fn lanczos(rows: &[Vec<usize>], weights: &[f64], sqrt_u: &[f64]) -> ((f64, f64), Vec<f64>) {
    let n = sqrt_u.len();
    let mut top: Vec<f64> = sqrt_u.to_vec();
    normalise(&mut top);
    // A fixed start, the same on every machine.
    let mut start: Vec<f64> = (0..n)
        .map(|i| 1.0 + ((i * 7919) % 1009) as f64 / 1009.0)
        .collect();
    let mut best = ((0.0, 0.0), vec![0.0; n]);
    for _restart in 0..4 {
        let r = dot(&top, &start);
        axpy(-r, &top, &mut start);
        normalise(&mut start);
        let (values, vector, residual) = lanczos_run(rows, weights, sqrt_u, &top, &start);
        best = (values, vector);
        if residual < 1e-12 {
            break;
        }
        start = best.1.clone();
    }
    best
}

fn lanczos_run(
    rows: &[Vec<usize>],
    weights: &[f64],
    sqrt_u: &[f64],
    top: &[f64],
    start: &[f64],
) -> ((f64, f64), Vec<f64>, f64) {
    let n = sqrt_u.len();
    let max_steps = (n - 1).min(300);
    let mut q: Vec<Vec<f64>> = vec![start.to_vec()];
    let (mut alpha, mut beta): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let mut w = vec![0.0; n];
    let mut ritz = ((0.0, f64::NEG_INFINITY), vec![1.0]);
    for j in 0..max_steps {
        apply(rows, weights, sqrt_u, &q[j], &mut w);
        let a = dot(&q[j], &w);
        alpha.push(a);
        // Full reorthogonalisation, twice, against the deflated eigenvector and every basis
        // vector: exact arithmetic's three-term recurrence is not enough in floating point.
        for _ in 0..2 {
            let r = dot(top, &w);
            axpy(-r, top, &mut w);
            for qi in &q {
                let r = dot(qi, &w);
                axpy(-r, qi, &mut w);
            }
        }
        let b = dot(&w, &w).sqrt();
        let k = j + 1;
        if b < 1e-14 || k == max_steps || (k >= 8 && k % 4 == 0) {
            ritz = tridiagonal_top(&alpha, &beta);
            let s_last = ritz.1[k - 1];
            if (b * s_last).abs() < 1e-14 || b < 1e-14 || k == max_steps {
                break;
            }
        }
        beta.push(b);
        let mut next = w.clone();
        next.iter_mut().for_each(|x| *x /= b);
        q.push(next);
    }
    let s = &ritz.1;
    let mut y = vec![0.0; n];
    for (qi, si) in q.iter().zip(s) {
        axpy(*si, qi, &mut y);
    }
    normalise(&mut y);
    apply(rows, weights, sqrt_u, &y, &mut w);
    let theta = dot(&y, &w);
    axpy(-theta, &y, &mut w);
    let residual = dot(&w, &w).sqrt();
    ((theta, ritz.0 .1), y, residual)
}

/// The largest eigenvalue of the tridiagonal matrix (and the next), with its eigenvector.
fn tridiagonal_top(alpha: &[f64], beta: &[f64]) -> ((f64, f64), Vec<f64>) {
    let k = alpha.len();
    let mut t = DMatrix::<f64>::zeros(k, k);
    for i in 0..k {
        t[(i, i)] = alpha[i];
        if i + 1 < k {
            t[(i, i + 1)] = beta[i];
            t[(i + 1, i)] = beta[i];
        }
    }
    let eigen = SymmetricEigen::new(t);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&i, &j| eigen.eigenvalues[j].total_cmp(&eigen.eigenvalues[i]));
    let first = eigen.eigenvalues[order[0]];
    let second = order
        .get(1)
        .map_or(f64::NEG_INFINITY, |&i| eigen.eigenvalues[i]);
    let vector = eigen
        .eigenvectors
        .column(order[0])
        .iter()
        .copied()
        .collect();
    ((first, second), vector)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random nested presence pattern: Lanczos and the dense solver agree.
    #[test]
    fn lanczos_agrees_with_the_dense_solver() {
        let (nc, np) = (40, 120);
        let mut state: u64 = 20260101;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as f64 / (1u64 << 31) as f64
        };
        let mut rows: Vec<Vec<usize>> = Vec::new();
        for c in 0..nc {
            let capability = (c + 1) as f64 / nc as f64;
            let row: Vec<usize> = (0..np)
                .filter(|&p| next() < capability * (1.0 - p as f64 / np as f64 * 0.8) * 0.6 + 0.02)
                .collect();
            rows.push(if row.is_empty() { vec![c % np] } else { row });
        }
        let mut ubiquity = vec![0.0f64; np];
        for r in &rows {
            for &p in r {
                ubiquity[p] += 1.0;
            }
        }
        // Keep products that someone exports.
        let keep: Vec<usize> = (0..np).filter(|&p| ubiquity[p] > 0.0).collect();
        let mut index = vec![usize::MAX; np];
        for (i, &p) in keep.iter().enumerate() {
            index[p] = i;
        }
        let rows: Vec<Vec<usize>> = rows
            .iter()
            .map(|r| r.iter().map(|&p| index[p]).collect())
            .collect();
        let weights: Vec<f64> = rows.iter().map(|r| 1.0 / r.len() as f64).collect();
        let sqrt_u: Vec<f64> = keep.iter().map(|&p| ubiquity[p].sqrt()).collect();
        let ((d2, _), dv) = dense(&rows, &weights, &sqrt_u);
        let ((l2, _), lv) = lanczos(&rows, &weights, &sqrt_u);
        assert!((d2 - l2).abs() < 1e-12, "{d2} vs {l2}");
        let sign = dot(&dv, &lv).signum();
        let gap = dv
            .iter()
            .zip(&lv)
            .map(|(a, b)| (a - sign * b).abs())
            .fold(0.0, f64::max);
        assert!(gap < 1e-9, "eigenvectors differ by {gap}");
    }
}
