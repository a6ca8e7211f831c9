//! One year's complexity measures from a matrix of exports: RCA, presence, diversity,
//! ubiquity, ECI, PCI, proximity, density, COI and COG, with py-ecomplexity's conventions by
//! default (see `docs/complexity.md`).

use super::eigen::second_eigenvector;

/// Which package's conventions to follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Convention {
    /// The Growth Lab's py-ecomplexity (PyPI `ecomplexity`): `M = RCA >= threshold`,
    /// proximity diagonal 1, population standard deviation over countries.
    #[default]
    Py,
    /// The Stata package: `M = RCA > threshold`, proximity diagonal 0, sample standard
    /// deviation over the country × product rows.
    Stata,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    pub threshold: f64,
    pub convention: Convention,
    /// Proximity as the conditional probability `P(p' | p)` instead of its symmetric minimum.
    pub asymmetric: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: 1.0,
            convention: Convention::Py,
            asymmetric: false,
        }
    }
}

/// The measures of one year. Matrices are row-major, countries × products.
#[derive(Clone, Debug)]
pub struct YearMeasures {
    pub locations: Vec<String>,
    pub products: Vec<String>,
    pub exports: Vec<f64>,
    pub rca: Vec<f64>,
    pub mcp: Vec<u8>,
    pub diversity: Vec<f64>,
    pub ubiquity: Vec<f64>,
    /// `NaN` for a country with no product at or above the threshold (reported, not output).
    pub eci: Vec<f64>,
    pub pci: Vec<f64>,
    pub proximity: Vec<f64>,
    pub density: Vec<f64>,
    pub coi: Vec<f64>,
    pub cog: Vec<f64>,
    /// The second eigenvalue of `Mpp`, from which ECI and PCI come.
    pub eigenvalue: f64,
}

/// Why a year has no result.
#[derive(Clone, Debug, PartialEq)]
pub enum YearError {
    /// No country has comparative advantage in anything, or only one country or product does.
    Degenerate(String),
}

/// Computes a year's measures. `exports` is countries × products, already free of
/// negative and non-finite values; countries and products without trade are dropped here.
pub fn year_measures(
    locations: &[String],
    products: &[String],
    exports: &[f64],
    options: &Options,
) -> Result<YearMeasures, YearError> {
    let (nc0, np0) = (locations.len(), products.len());
    // Drop countries and products without trade.
    let row_total: Vec<f64> = (0..nc0)
        .map(|c| exports[c * np0..(c + 1) * np0].iter().sum())
        .collect();
    let mut col_total = vec![0.0; np0];
    for c in 0..nc0 {
        for (t, x) in col_total.iter_mut().zip(&exports[c * np0..(c + 1) * np0]) {
            *t += x;
        }
    }
    let keep_c: Vec<usize> = (0..nc0).filter(|&c| row_total[c] > 0.0).collect();
    let keep_p: Vec<usize> = (0..np0).filter(|&p| col_total[p] > 0.0).collect();
    let (nc, np) = (keep_c.len(), keep_p.len());
    if nc < 2 || np < 2 {
        return Err(YearError::Degenerate(format!(
            "{nc} countries and {np} products with trade: at least two of each are needed"
        )));
    }
    let mut x = vec![0.0; nc * np];
    for (i, &c) in keep_c.iter().enumerate() {
        for (j, &p) in keep_p.iter().enumerate() {
            x[i * np + j] = exports[c * np0 + p];
        }
    }
    let xc: Vec<f64> = keep_c.iter().map(|&c| row_total[c]).collect();
    let xp: Vec<f64> = keep_p.iter().map(|&p| col_total[p]).collect();
    let total: f64 = xc.iter().sum();

    // RCA and presence.
    let mut rca = vec![0.0; nc * np];
    let mut mcp = vec![0u8; nc * np];
    for c in 0..nc {
        for p in 0..np {
            let r = (x[c * np + p] / xc[c]) / (xp[p] / total);
            rca[c * np + p] = r;
            let present = match options.convention {
                Convention::Py => r >= options.threshold,
                Convention::Stata => r > options.threshold,
            };
            mcp[c * np + p] = u8::from(present);
        }
    }
    // Each country's products, for the sparse sums below.
    let exported: Vec<Vec<usize>> = (0..nc)
        .map(|c| (0..np).filter(|&p| mcp[c * np + p] == 1).collect())
        .collect();
    let diversity: Vec<f64> = exported.iter().map(|e| e.len() as f64).collect();
    let mut ubiquity = vec![0.0f64; np];
    for e in &exported {
        for &p in e {
            ubiquity[p] += 1.0;
        }
    }
    let active_c: Vec<usize> = (0..nc).filter(|&c| diversity[c] > 0.0).collect();
    let active_p: Vec<usize> = (0..np).filter(|&p| ubiquity[p] > 0.0).collect();
    if active_c.len() < 2 || active_p.len() < 2 {
        return Err(YearError::Degenerate(format!(
            "only {} countries and {} products have an RCA {} {}: no complexity can be computed",
            active_c.len(),
            active_p.len(),
            if options.convention == Convention::Py {
                ">="
            } else {
                ">"
            },
            options.threshold
        )));
    }

    // kp: the eigenvector of the second-largest eigenvalue of Mpp = (M/kp0)ᵀ(M/kc0), found on
    // the similar symmetric matrix D^-1/2 Mᵀ K^-1 M D^-1/2 (D = diag(ubiquity)).
    let mut index_p = vec![usize::MAX; np];
    for (i, &p) in active_p.iter().enumerate() {
        index_p[p] = i;
    }
    let rows: Vec<Vec<usize>> = active_c
        .iter()
        .map(|&c| exported[c].iter().map(|&p| index_p[p]).collect())
        .collect();
    let weights: Vec<f64> = active_c.iter().map(|&c| 1.0 / diversity[c]).collect();
    let sqrt_u: Vec<f64> = active_p.iter().map(|&p| ubiquity[p].sqrt()).collect();
    let (eigenvalue, v) =
        second_eigenvector(&rows, &weights, &sqrt_u).map_err(YearError::Degenerate)?;
    let kp_active: Vec<f64> = v.iter().zip(&sqrt_u).map(|(v, s)| v / s).collect();
    let mut kp = vec![0.0; np];
    for (i, &p) in active_p.iter().enumerate() {
        kp[p] = kp_active[i];
    }
    let kc: Vec<f64> = (0..nc)
        .map(|c| {
            if diversity[c] > 0.0 {
                exported[c].iter().map(|&p| kp[p]).sum::<f64>() / diversity[c]
            } else {
                f64::NAN
            }
        })
        .collect();
    // Sign: ECI rises with diversity.
    let kc_active: Vec<f64> = active_c.iter().map(|&c| kc[c]).collect();
    let div_active: Vec<f64> = active_c.iter().map(|&c| diversity[c]).collect();
    let sign = if covariance(&div_active, &kc_active) < 0.0 {
        -1.0
    } else {
        1.0
    };
    let mean = kc_active.iter().sum::<f64>() / kc_active.len() as f64;
    let ss: f64 = kc_active.iter().map(|k| (k - mean).powi(2)).sum();
    let std = match options.convention {
        Convention::Py => (ss / kc_active.len() as f64).sqrt(),
        // Over the country × product rows: each country counts once per product.
        Convention::Stata => (ss * np as f64 / ((nc * np) as f64 - 1.0)).sqrt(),
    };
    if std.is_nan() || std <= 0.0 {
        return Err(YearError::Degenerate(
            "every country has the same complexity".into(),
        ));
    }
    let eci: Vec<f64> = kc.iter().map(|k| sign * (k - mean) / std).collect();
    let pci: Vec<f64> = (0..np)
        .map(|p| {
            if ubiquity[p] > 0.0 {
                sign * (kp[p] - mean) / std
            } else {
                f64::NAN
            }
        })
        .collect();

    // Proximity from co-exports: how many countries export both a and b, counted with
    // bitsets of countries (one bit a country) and popcounts.
    let words = nc.div_ceil(64);
    let mut exporters = vec![0u64; np * words];
    for (c, e) in exported.iter().enumerate() {
        for &p in e {
            exporters[p * words + c / 64] |= 1u64 << (c % 64);
        }
    }
    let mut together = vec![0.0; np * np];
    for a in 0..np {
        let wa = &exporters[a * words..(a + 1) * words];
        for b in a..np {
            let wb = &exporters[b * words..(b + 1) * words];
            let n: u32 = wa.iter().zip(wb).map(|(x, y)| (x & y).count_ones()).sum();
            together[a * np + b] = f64::from(n);
            together[b * np + a] = f64::from(n);
        }
    }
    let mut proximity = vec![0.0; np * np];
    for a in 0..np {
        for b in 0..np {
            let t = together[a * np + b];
            let phi = if t == 0.0 {
                0.0
            } else if options.asymmetric {
                t / ubiquity[a]
            } else {
                t / ubiquity[a].max(ubiquity[b])
            };
            proximity[a * np + b] = phi;
        }
        if options.convention == Convention::Stata {
            proximity[a * np + a] = 0.0;
        }
    }
    // Density: d_cp = Σ_k M_ck φ_pk / Σ_k φ_pk, as sums of rows of φᵀ (contiguous, so the
    // compiler vectorises them).
    let phi_sum: Vec<f64> = (0..np)
        .map(|p| proximity[p * np..(p + 1) * np].iter().sum())
        .collect();
    let mut transposed = vec![0.0; np * np];
    for a in 0..np {
        for b in 0..np {
            transposed[b * np + a] = proximity[a * np + b];
        }
    }
    let mut density = vec![0.0; nc * np];
    for c in 0..nc {
        let row = &mut density[c * np..(c + 1) * np];
        for &k in &exported[c] {
            for (r, phi) in row.iter_mut().zip(&transposed[k * np..(k + 1) * np]) {
                *r += phi;
            }
        }
        for (r, s) in row.iter_mut().zip(&phi_sum) {
            *r = if *s > 0.0 { *r / s } else { 0.0 };
        }
    }
    // COI and COG use the sign-corrected raw kp (py-ecomplexity, like the Stata package):
    // COI_c = Σ_p d_cp (1 − M_cp) kp_p, then standardised over countries;
    // COG_cp = (1 − M_cp) Σ_k (1 − M_ck) φ_kp kp_k / Σ_j φ_kj, divided by the std of kc.
    let kp_signed: Vec<f64> = kp.iter().map(|k| sign * k).collect();
    let coi_raw: Vec<f64> = (0..nc)
        .map(|c| {
            (0..np)
                .filter(|&p| mcp[c * np + p] == 0)
                .map(|p| density[c * np + p] * kp_signed[p])
                .sum()
        })
        .collect();
    let coi_mean = coi_raw.iter().sum::<f64>() / nc as f64;
    let coi_std = (coi_raw.iter().map(|v| (v - coi_mean).powi(2)).sum::<f64>() / nc as f64).sqrt();
    let coi: Vec<f64> = coi_raw
        .iter()
        .map(|v| {
            if coi_std > 0.0 {
                (v - coi_mean) / coi_std
            } else {
                0.0
            }
        })
        .collect();
    // weighted[k][p] = φ_kp kp_k / Σ_j φ_kj
    let mut weighted = vec![0.0; np * np];
    for k in 0..np {
        if phi_sum[k] > 0.0 {
            let f = kp_signed[k] / phi_sum[k];
            for p in 0..np {
                weighted[k * np + p] = proximity[k * np + p] * f;
            }
        }
    }
    let mut all = vec![0.0; np];
    for k in 0..np {
        for (a, w) in all.iter_mut().zip(&weighted[k * np..(k + 1) * np]) {
            *a += w;
        }
    }
    let mut cog = vec![0.0; nc * np];
    for c in 0..nc {
        let row = &mut cog[c * np..(c + 1) * np];
        row.copy_from_slice(&all);
        for &k in &exported[c] {
            for (r, w) in row.iter_mut().zip(&weighted[k * np..(k + 1) * np]) {
                *r -= w;
            }
        }
        for p in 0..np {
            row[p] = if mcp[c * np + p] == 1 {
                0.0
            } else {
                row[p] / std
            };
        }
    }
    Ok(YearMeasures {
        locations: keep_c.iter().map(|&c| locations[c].clone()).collect(),
        products: keep_p.iter().map(|&p| products[p].clone()).collect(),
        exports: x,
        rca,
        mcp,
        diversity,
        ubiquity,
        eci,
        pci,
        proximity,
        density,
        coi,
        cog,
        eigenvalue,
    })
}

/// The covariance of two series: its sign is the correlation's.
fn covariance(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum()
}
