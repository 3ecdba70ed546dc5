//! Deterministic demo data for 吕梁: enterprises across the 13 counties and the
//! checklist's industries, officers with roles and training, and a 2026 annual plan.
//!
//! The same seed always gives the same data (SplitMix64, no external RNG), so demos,
//! tests and benchmarks are reproducible. Everything here is fictitious: names, credit
//! codes (valid check characters, random bodies), phones and coordinates.

use chrono::NaiveDate;
use zhifa_core::credit_code;
use zhifa_core::division::Area;
use zhifa_core::enterprise::{EnterpriseData, GeoPoint, OperatingStatus};
use zhifa_core::ids::{IdSourceExt, SeededIds, splitmix64};
use zhifa_core::industry::{IndustryCode, SupervisionCategory};
use zhifa_core::officer::{Officer, Role, Training};
use zhifa_core::org::{OrgKind, Organisation};
use zhifa_core::plan::{Plan, PlanTask, TaskKind, draw};

/// The password of every demo account created by `zhifa-server --demo` (printed at start;
/// never used outside demos and tests).
pub const DEMO_PASSWORD: &str = "Zhifa2026";

/// The generated demo set.
#[derive(Debug, Clone)]
pub struct Demo {
    /// Organisations (same as [`crate::organisations`]).
    pub organisations: Vec<Organisation>,
    /// Enterprise ledger.
    pub enterprises: Vec<EnterpriseData>,
    /// Officers.
    pub officers: Vec<Officer>,
    /// Training records.
    pub trainings: Vec<Training>,
    /// One 2026 plan per bureau.
    pub plans: Vec<Plan>,
    /// Plan tasks; enterprise ids refer to `enterprise_ids`.
    pub tasks: Vec<PlanTask>,
    /// Ids to use for `enterprises` (same order).
    pub enterprise_ids: Vec<zhifa_core::ids::EnterpriseId>,
}

/// Size of the demo set.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    /// Number of enterprises.
    pub enterprises: usize,
    /// Officers per county bureau (the city gets twice as many).
    pub officers_per_county: usize,
}

impl Default for DemoSize {
    fn default() -> Self {
        Self { enterprises: 2_400, officers_per_county: 5 }
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// (category, weight, industry codes, name words, tag candidates with percent)
type Profile =
    (SupervisionCategory, usize, &'static [&'static str], &'static [&'static str], &'static [(&'static str, u64)]);

const PROFILES: &[Profile] = &[
    (
        SupervisionCategory::Metallurgy,
        14,
        &["C3110", "C3120", "C3130", "C3391", "C2521"],
        &["钢铁", "焦化", "铸造", "特钢", "冶炼"],
        &[("金属冶炼", 70), ("粉尘涉爆", 15), ("有限空间", 60)],
    ),
    (
        SupervisionCategory::NonFerrous,
        10,
        &["C3216", "C3252", "C3217", "C3219"],
        &["铝业", "镁业", "有色金属", "铝材"],
        &[("铝加工深井铸造", 35), ("粉尘涉爆", 40), ("有限空间", 40), ("金属冶炼", 30)],
    ),
    (
        SupervisionCategory::BuildingMaterials,
        12,
        &["C3011", "C3021", "C3031", "C3041"],
        &["水泥", "建材", "新型墙材", "玻璃"],
        &[("有限空间", 50), ("粉尘涉爆", 10)],
    ),
    (
        SupervisionCategory::Machinery,
        12,
        &["C3311", "C3411", "C3513", "C3670"],
        &["机械制造", "重工", "装备", "汽车配件"],
        &[("粉尘涉爆", 25), ("有限空间", 20)],
    ),
    (
        SupervisionCategory::LightIndustry,
        12,
        &["C1512", "C1391", "C2221", "C1441"],
        &["酒业", "食品", "纸业", "乳业"],
        &[("液氨制冷", 20), ("粉尘涉爆", 15), ("有限空间", 50)],
    ),
    (SupervisionCategory::Textile, 3, &["C1711", "C1721"], &["纺织", "服饰"], &[("粉尘涉爆", 30)]),
    (SupervisionCategory::Commerce, 8, &["F5162", "F5171", "G5990"], &["商贸", "物流", "仓储"], &[("有限空间", 10)]),
    (
        SupervisionCategory::HazardousChemicals,
        17,
        &["C2614", "C2619", "C2653", "C2521", "F5162"],
        &["化工", "煤化工", "燃气", "化学", "精细化工"],
        &[("重大危险源", 30), ("重点监管危化工艺", 35), ("有限空间", 60)],
    ),
    (
        SupervisionCategory::NonCoalMine,
        12,
        &["B0810", "B0917", "B1011", "B1019"],
        &["矿业", "铁矿", "铝土矿", "石料"],
        &[],
    ),
];

const WORDS: &[&str] = &[
    "鑫", "华", "泰", "晋", "龙", "宏", "金", "恒", "盛", "兴", "瑞", "通", "利", "达", "源", "丰", "昌", "德", "安",
    "汇", "嘉", "永", "新", "东", "吕", "中", "佳", "顺", "福", "康",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "郭", "任", "高", "武", "贾", "冯", "薛", "韩", "梁",
    "白",
];
const GIVEN: &[&str] = &[
    "建国", "志强", "海军", "丽", "晓东", "文斌", "红梅", "俊杰", "鹏", "磊", "敏", "国华", "永刚", "秀英", "卫东",
    "慧", "晋生", "润田", "小平", "亚楠",
];
const ROADS: &[&str] = &[
    "工业园区",
    "经济开发区",
    "新兴路",
    "滨河北路",
    "永宁路",
    "胜溪大道",
    "龙凤大街",
    "府前街",
    "北川河东路",
    "工业路",
];
const COURSES: &[&str] = &[
    "安全生产法及配套法规培训",
    "行政处罚法与执法程序培训",
    "工贸行业重大事故隐患判定标准培训",
    "危险化学品安全监管培训",
    "非煤矿山安全监管培训",
    "执法文书制作规范培训",
];

/// Approximate seat coordinates (WGS-84) of each county, used to scatter enterprises.
fn county_center(code: &str) -> (f64, f64) {
    match code {
        "141102" => (111.13, 37.52),
        "141121" => (112.03, 37.44),
        "141122" => (112.16, 37.55),
        "141123" => (111.13, 38.46),
        "141124" => (110.99, 37.95),
        "141125" => (110.89, 37.43),
        "141126" => (110.83, 37.00),
        "141127" => (111.67, 38.28),
        "141128" => (111.24, 37.89),
        "141129" => (111.18, 37.34),
        "141130" => (111.18, 36.98),
        "141181" => (111.78, 37.14),
        "141182" => (111.79, 37.26),
        _ => (111.4, 37.5),
    }
}

/// Relative industrial weight of each county (孝义, 交城, 文水, 汾阳, 柳林 are heavier).
fn county_weight(code: &str) -> usize {
    match code {
        "141181" => 18,
        "141122" | "141121" | "141182" | "141125" => 11,
        "141102" | "141129" | "141124" => 7,
        _ => 4,
    }
}

fn org_code_check(body: &[u8; 8]) -> u8 {
    // GB 11714: weights 3 7 9 10 5 8 4 2; C = 11 - (sum mod 11); 10 → X, 11 → 0.
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let v = |c: u8| if c.is_ascii_digit() { (c - b'0') as u32 } else { (c - b'A') as u32 + 10 };
    let s: u32 = body.iter().zip(W).map(|(c, w)| v(*c) * w).sum();
    match 11 - s % 11 {
        10 => b'X',
        11 => b'0',
        n => b'0' + n as u8,
    }
}

fn credit_code(rng: &mut Rng, county: &str) -> String {
    let mut body = [0u8; 8];
    for b in &mut body {
        *b = if rng.chance(80) { b'0' + rng.below(10) as u8 } else { b"MAHJKLNPQRTUWXY"[rng.below(15)] };
    }
    body[0] = b"MA"[rng.below(2)];
    let mut s = Vec::with_capacity(18);
    s.extend_from_slice(b"91");
    s.extend_from_slice(county.as_bytes());
    s.extend_from_slice(&body);
    s.push(org_code_check(&body));
    let ck = credit_code::check_char(&s).expect("generated from the alphabet");
    s.push(ck);
    String::from_utf8(s).expect("ascii")
}

fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn mobile(rng: &mut Rng) -> String {
    format!("1{}{:09}", b"3589"[rng.below(4)] as char, rng.next() % 1_000_000_000)
}

/// Generates the demo set for `area` from `seed`.
#[allow(clippy::needless_range_loop)] // `i` also picks round-robin counties and profiles.
pub fn generate(area: &Area, seed: u64, size: DemoSize) -> Demo {
    let mut rng = Rng(seed);
    // 2026-01-05 08:00 Asia/Shanghai as the ids' clock start.
    let mut ids = SeededIds::new(seed ^ 0x5A48_4641, 1_767_571_200_000);
    let organisations = crate::organisations(area);

    let weights: Vec<usize> = area.counties.iter().map(|c| county_weight(&c.division.code)).collect();
    let total_w: usize = weights.iter().sum();
    let prof_total: usize = PROFILES.iter().map(|p| p.1).sum();
    let mut enterprises = Vec::with_capacity(size.enterprises);
    let mut seen = std::collections::HashSet::new();
    for i in 0..size.enterprises {
        // Round-robin first so every county and industry is present, then weighted.
        let county = if i < area.counties.len() {
            &area.counties[i]
        } else {
            let mut r = rng.below(total_w);
            let mut k = 0;
            while r >= weights[k] {
                r -= weights[k];
                k += 1;
            }
            &area.counties[k]
        };
        let profile = if i < PROFILES.len() {
            &PROFILES[i]
        } else {
            let mut r = rng.below(prof_total);
            let mut k = 0;
            while r >= PROFILES[k].1 {
                r -= PROFILES[k].1;
                k += 1;
            }
            &PROFILES[k]
        };
        let (cat, _, codes, nouns, tag_odds) = profile;
        let code = loop {
            let c = credit_code(&mut rng, &county.division.code);
            if seen.insert(c.clone()) {
                break c;
            }
        };
        let place = county.division.name.trim_end_matches(['区', '县', '市']);
        let name = format!(
            "{}{}{}{}{}",
            area.city.name.trim_end_matches('市'),
            place,
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick::<&str>(nouns)
        );
        let name = format!("{name}{}", ["有限公司", "有限责任公司", "股份有限公司", "集团有限公司"][rng.below(4)]);
        let township = rng.pick(&county.townships);
        let (cx, cy) = county_center(&county.division.code);
        let tags: Vec<String> = tag_odds.iter().filter(|(_, p)| rng.chance(*p)).map(|(t, _)| (*t).to_owned()).collect();
        let status = match rng.below(100) {
            0..=86 => OperatingStatus::Operating,
            87..=93 => OperatingStatus::Suspended,
            94..=96 => OperatingStatus::Rectifying,
            97 => OperatingStatus::Closed,
            _ => OperatingStatus::Preparing,
        };
        let licensed = matches!(cat, SupervisionCategory::HazardousChemicals | SupervisionCategory::NonCoalMine);
        let prov = if matches!(cat, SupervisionCategory::NonCoalMine) { "FM" } else { "WH" };
        enterprises.push(EnterpriseData {
            credit_code: zhifa_core::credit_code::CreditCode::parse(&code).expect("generated code is valid"),
            name,
            county_code: county.division.code.clone(),
            township_code: Some(township.code.clone()),
            address: format!(
                "山西省{}{}{}{}{}号",
                area.city.name,
                county.division.name,
                township.name,
                rng.pick(ROADS),
                1 + rng.below(300)
            ),
            legal_rep: person(&mut rng),
            principal: person(&mut rng),
            phone: if rng.chance(70) { mobile(&mut rng) } else { format!("0358-{}", 2_000_000 + rng.below(7_999_999)) },
            industry_code: IndustryCode::parse(rng.pick::<&str>(codes)).expect("valid demo industry code"),
            supervision_category: *cat,
            status,
            location: Some(GeoPoint { lng: cx + (rng.unit() - 0.5) * 0.3, lat: cy + (rng.unit() - 0.5) * 0.2 }),
            tags,
            risk_level: Some(["A", "B", "C", "D"][rng.below(4)].to_owned()),
            licence_no: licensed
                .then(|| format!("（晋）{prov}安许证字〔{}〕{:04}", 2023 + rng.below(3), rng.below(9999))),
            licence_expiry: licensed.then(|| {
                NaiveDate::from_ymd_opt(2026 + rng.below(3) as i32, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
                    .expect("valid date")
            }),
            employees: Some(10 + rng.below(2000) as u32),
        });
    }
    let enterprise_ids: Vec<_> = enterprises.iter().map(|_| ids.next()).collect();

    // Officers: the city (bureau + detachment) and every county bureau.
    let mut officers = Vec::new();
    let mut trainings = Vec::new();
    for org in &organisations {
        let n = match org.kind {
            OrgKind::CityBureau => size.officers_per_county,
            OrgKind::Detachment => size.officers_per_county * 2,
            _ => size.officers_per_county,
        };
        for k in 0..n {
            let mut roles = vec![Role::Inspector];
            match (org.kind, k) {
                (OrgKind::CityBureau | OrgKind::CountyBureau, 0) => roles = vec![Role::Approver],
                (OrgKind::CityBureau | OrgKind::CountyBureau, 1) => roles.push(Role::Reviewer),
                (OrgKind::CityBureau | OrgKind::CountyBureau, 2) => roles.push(Role::LegalReviewer),
                (OrgKind::CityBureau | OrgKind::CountyBureau, 3) => roles.push(Role::SealKeeper),
                (OrgKind::CityBureau, 4) => roles.push(Role::SystemAdmin),
                _ => {}
            }
            let id = ids.next();
            let seq = officers.len() + 1;
            officers.push(Officer {
                id,
                name: person(&mut rng),
                cert_no: format!("14{}{:04}", &org.division_code[2..6], seq),
                org: org.id,
                legal_qualification: roles.contains(&Role::LegalReviewer),
                roles,
                phone: Some(mobile(&mut rng)),
                active: true,
            });
            for _ in 0..1 + rng.below(3) {
                trainings.push(Training {
                    id: ids.next(),
                    officer: id,
                    course: (*rng.pick(COURSES)).to_owned(),
                    date: NaiveDate::from_ymd_opt(
                        2024 + rng.below(3) as i32,
                        1 + rng.below(12) as u32,
                        1 + rng.below(28) as u32,
                    )
                    .expect("valid date"),
                    hours: [8, 16, 24, 40][rng.below(4)],
                });
            }
        }
    }

    // A 2026 plan per bureau: 重点检查 for enterprises with major-hazard tags, a 10 %
    // 双随机 draw of the others; teams of two inspectors of the same bureau.
    let mut plans = Vec::new();
    let mut tasks = Vec::new();
    for org in organisations.iter().filter(|o| o.kind != OrgKind::Detachment) {
        let plan = Plan {
            id: ids.next(),
            org: org.id,
            year: 2026,
            title: format!("{}2026年度安全生产监督检查计划", org.name),
        };
        let team: Vec<_> = officers
            .iter()
            .filter(|o| {
                o.has(Role::Inspector)
                    && (o.org == org.id
                        || (org.kind == OrgKind::CityBureau && o.division_of(&organisations) == org.division_code))
            })
            .map(|o| o.id)
            .collect();
        let pool: Vec<usize> = enterprises
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.status == OperatingStatus::Operating
                    && (org.kind == OrgKind::CityBureau || e.county_code == org.division_code)
            })
            .map(|(i, _)| i)
            .collect();
        let is_key =
            |e: &EnterpriseData| e.tags.iter().any(|t| t == "重大危险源" || t == "铝加工深井铸造" || t == "金属冶炼");
        let (key, general): (Vec<usize>, Vec<usize>) = if org.kind == OrgKind::CityBureau {
            // The city bureau takes the key enterprises of the non-coal mines and majors.
            (
                pool.iter()
                    .copied()
                    .filter(|&i| {
                        is_key(&enterprises[i])
                            && enterprises[i].supervision_category == SupervisionCategory::NonCoalMine
                    })
                    .collect(),
                Vec::new(),
            )
        } else {
            pool.iter().partition(|&&i| is_key(&enterprises[i]))
        };
        let draw_seed = seed ^ plan.id.0.as_u128() as u64;
        let drawn: Vec<usize> =
            draw(general.len(), general.len().div_ceil(10), draw_seed).into_iter().map(|k| general[k]).collect();
        for (n, (i, kind)) in
            key.iter().map(|&i| (i, TaskKind::Key)).chain(drawn.iter().map(|&i| (i, TaskKind::Random))).enumerate()
        {
            let pair = if team.len() >= 2 {
                draw(team.len(), 2, draw_seed.wrapping_add(n as u64)).into_iter().map(|k| team[k]).collect()
            } else {
                team.clone()
            };
            tasks.push(PlanTask {
                id: ids.next(),
                plan: plan.id,
                enterprise: enterprise_ids[i],
                month: 1 + (n % 12) as u32,
                kind,
                officers: pair,
                draw_seed: (kind == TaskKind::Random).then_some(draw_seed),
            });
        }
        plans.push(plan);
    }
    Demo { organisations, enterprises, officers, trainings, plans, tasks, enterprise_ids }
}

trait DivisionOf {
    fn division_of(&self, orgs: &[Organisation]) -> String;
}
impl DivisionOf for Officer {
    fn division_of(&self, orgs: &[Organisation]) -> String {
        orgs.iter().find(|o| o.id == self.org).map(|o| o.division_code.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use zhifa_core::enterprise::{LedgerField, LedgerRow, validate_row};

    #[test]
    fn demo_is_deterministic_and_big_enough() {
        let a = Area::luliang();
        let d = generate(&a, 7, DemoSize::default());
        let d2 = generate(&a, 7, DemoSize::default());
        assert_eq!(d.enterprises, d2.enterprises);
        assert_eq!(d.officers, d2.officers);
        assert!(d.enterprises.len() >= 2000);
        assert!(d.officers.len() >= 60, "{}", d.officers.len());
        let counties: HashSet<_> = d.enterprises.iter().map(|e| e.county_code.as_str()).collect();
        assert_eq!(counties.len(), 13);
        let cats: HashSet<_> = d.enterprises.iter().map(|e| e.supervision_category.checklist_industry()).collect();
        for ind in ["冶金工贸", "危险化学品", "非煤矿山"] {
            assert!(cats.contains(ind), "{ind}");
        }
        let codes: HashSet<_> = d.enterprises.iter().map(|e| e.credit_code.as_str()).collect();
        assert_eq!(codes.len(), d.enterprises.len());
        for role in Role::ALL {
            assert!(d.officers.iter().any(|o| o.has(role)), "{role:?}");
        }
        assert_eq!(d.plans.len(), 14);
        assert!(d.tasks.len() > 100);
        assert!(d.tasks.iter().all(|t| t.officers.len() == 2));
        let by_kind: HashMap<_, usize> = d.tasks.iter().fold(HashMap::new(), |mut m, t| {
            *m.entry(t.kind).or_default() += 1;
            m
        });
        assert!(by_kind[&TaskKind::Key] > 0 && by_kind[&TaskKind::Random] > 0);
    }

    #[test]
    fn demo_enterprises_pass_ledger_validation() {
        let a = Area::luliang();
        let d = generate(&a, 1, DemoSize { enterprises: 300, officers_per_county: 5 });
        for e in &d.enterprises {
            let row: LedgerRow = [
                (LedgerField::CreditCode, e.credit_code.to_string()),
                (LedgerField::Name, e.name.clone()),
                (LedgerField::County, e.county_code.clone()),
                (LedgerField::Township, e.township_code.clone().unwrap_or_default()),
                (LedgerField::Address, e.address.clone()),
                (LedgerField::LegalRep, e.legal_rep.clone()),
                (LedgerField::Principal, e.principal.clone()),
                (LedgerField::Phone, e.phone.clone()),
                (LedgerField::IndustryCode, e.industry_code.as_str().to_owned()),
                (LedgerField::SupervisionCategory, e.supervision_category.label().to_owned()),
                (LedgerField::Status, e.status.label().to_owned()),
                (LedgerField::Longitude, e.location.unwrap().lng.to_string()),
                (LedgerField::Latitude, e.location.unwrap().lat.to_string()),
                (LedgerField::Tags, e.tags.join("、")),
            ]
            .into_iter()
            .collect();
            let v = validate_row(&row, &a).unwrap_or_else(|errs| panic!("{}: {errs:?}", e.name));
            assert_eq!(v.credit_code, e.credit_code);
        }
    }
}
