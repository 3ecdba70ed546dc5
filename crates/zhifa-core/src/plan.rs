//! Inspection plans (年度监督检查计划) and their tasks, including 双随机 draws.

use serde::{Deserialize, Serialize};

use crate::ids::{EnterpriseId, OfficerId, OrgId, PlanId, TaskId};

/// 重点检查 or 一般检查 (双随机).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// 重点检查: staff assigned directly.
    Key,
    /// 一般检查 by 双随机 draw.
    Random,
}

/// A plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Id.
    pub id: PlanId,
    /// Owning organisation.
    pub org: OrgId,
    /// Year.
    pub year: i32,
    /// Title, e.g. 2026年度安全生产监督检查计划.
    pub title: String,
}

/// One task: inspect an enterprise in a month with a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTask {
    /// Id.
    pub id: TaskId,
    /// Plan.
    pub plan: PlanId,
    /// Enterprise.
    pub enterprise: EnterpriseId,
    /// Month 1–12.
    pub month: u32,
    /// Kind.
    pub kind: TaskKind,
    /// Team (at least two inspectors, 行政处罚法第四十二条).
    pub officers: Vec<OfficerId>,
    /// Seed of the 双随机 draw, for audit and reproduction.
    pub draw_seed: Option<u64>,
}

/// Draws `k` distinct indices out of `n` deterministically from `seed` (partial
/// Fisher–Yates over SplitMix64). Used for 双随机 so a draw can be reproduced from its
/// recorded seed and pool snapshot.
pub fn draw(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    let mut state = seed;
    let k = k.min(n);
    for i in 0..k {
        let r = crate::ids::splitmix64(&mut state);
        let j = i + (r % (n - i) as u64) as usize;
        idx.swap(i, j);
    }
    idx.truncate(k);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draw_is_reproducible_and_distinct() {
        let a = draw(100, 10, 7);
        assert_eq!(a, draw(100, 10, 7));
        let mut s = a.clone();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 10);
        assert!(a.iter().all(|&i| i < 100));
        assert_eq!(draw(3, 10, 1).len(), 3);
    }
}
