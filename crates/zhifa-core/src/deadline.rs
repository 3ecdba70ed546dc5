//! Statutory deadlines of the enforcement process, computed in the core.
//!
//! The rule metadata (name, rule text, legal source, confidence, day/month/hour counts)
//! comes from the `deadlines` array of `data/seed/documents.json`, embedded at build time,
//! so it is written down once. `data/deadlines/rules.json` is a small overlay that says how
//! the software *counts* each period:
//!
//! - the effective day type. 行政处罚法（2021）第八十五条 makes its "二日/三日/五日/七日"
//!   working days and 行政强制法第六十九条 does the same for periods of ten days or less, so
//!   several rules the seed marks `calendar` are counted in working days;
//! - whether a calendar-day or month period whose last day is a rest day or a holiday rolls
//!   forward to the next working day (on for periods the *party* must meet);
//! - who must meet the period (party or agency).
//!
//! Counting rules shared by every computation:
//!
//! - 期间开始之日不计算在内: a period of `n` days started on day `s` ends at the end of
//!   day `s + n` (calendar) or of the `n`-th working day after `s`.
//! - Months: the same day number `m` months later, clamped to the month's last day
//!   (民法典第二百零二条).
//! - Every result says whether it is *provisional* (the holiday data does not cover a year
//!   the computation looked at) and carries the seed's confidence, so the UI can show an
//!   unverified rule as unverified.
//!
//! Interruptions the law excludes from a period (检测鉴定期间 for 查封扣押, 复议诉讼期间
//! for 加处罚款) are the caller's to subtract: the functions take them as arguments.
//! See `docs/deadlines.md` for the legal reasoning.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use chrono::{Days, Months, NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkCalendar};

/// The embedded seed (`data/seed/documents.json`); only its `deadlines` array is read.
const SEED_JSON: &str = include_str!("../../../data/seed/documents.json");
/// The embedded counting overlay (`data/deadlines/rules.json`).
const OVERLAY_JSON: &str = include_str!("../../../data/deadlines/rules.json");

macro_rules! rule_ids {
    ($($(#[$doc:meta])* $variant:ident = $id:literal,)*) => {
        /// Identifier of a deadline rule, as used in `documents.json` (`D-…`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum RuleId {
            $($(#[$doc])* #[serde(rename = $id)] $variant,)*
        }

        impl RuleId {
            /// Every rule id, in seed order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The id string, e.g. `D-REVIEW`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }

            /// Parses an id string (exact match).
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($id => Some(RuleId::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

rule_ids! {
    /// 整改期限届满 (a date written on the 指令书, not a computed period).
    RectifyDue = "D-RECTIFY-DUE",
    /// 整改延期申请/答复 (10 / 5 days).
    ExtensionRequest = "D-EXTENSION-REQUEST",
    /// 整改复查 (10 days).
    Review = "D-REVIEW",
    /// 重大隐患停产停业后恢复生产审查 (10 days).
    ResumeReview = "D-RESUME-REVIEW",
    /// 先行调查后补办立案 (5 days).
    RegisterBackfill = "D-REGISTER-BACKFILL",
    /// 办案期限 (30 / 90 / 180 days).
    Decision = "D-DECISION-30-90-180",
    /// 陈述申辩期 (3 working days).
    StatementDefense = "D-STATEMENT-DEFENSE",
    /// 听证申请期 (5 working days).
    HearingRequest = "D-HEARING-REQUEST",
    /// 听证通知 (7 working days before the hearing).
    HearingNotice = "D-HEARING-NOTICE-7D",
    /// 先行登记保存处理 (7 working days).
    EvidenceDecision = "D-EVIDENCE-7D",
    /// 查封扣押期限 (30 + 30 days).
    Seizure = "D-SEIZURE-30",
    /// 紧急强制措施补批 (24 hours).
    EmergencyMeasureApproval = "D-EMERGENCY-MEASURE-APPROVAL",
    /// 停止供电提前通知 (24 hours before).
    PowerCutNotice = "D-POWER-CUT-24H",
    /// 决定书送达 (7 working days).
    ServeDecision = "D-SERVE-7D",
    /// 处罚决定公示 (7 working days).
    Publicize = "D-PUBLICIZE-7WD",
    /// 罚款缴纳 (15 days).
    Payment = "D-PAYMENT-15D",
    /// 加处罚款 (3 % per day, capped at the fine).
    LateFee = "D-LATE-FEE-3PCT",
    /// 当场收缴罚款上交 (2 working days).
    OnSpotCash = "D-ONSPOT-CASH-2D",
    /// 行政复议申请期 (60 days).
    Reconsideration = "D-RECONSIDERATION-60D",
    /// 行政诉讼起诉期 (6 months).
    Litigation = "D-LITIGATION-6M",
    /// 申请法院强制执行 (3 months; 催告 10 working days before).
    CourtEnforcement = "D-COURT-ENFORCE-3M",
    /// 按日连续处罚 (not computed here).
    ContinuousFine = "D-CONTINUOUS-FINE",
    /// 提请关闭触发 (3 penalties in 180 days or 4 in one year).
    ClosureTrigger = "D-CLOSURE-TRIGGER",
    /// 处罚时效 (not computed here).
    Limitation = "D-LIMITATION-2Y",
    /// 结案 (no national period found).
    CaseClose = "D-CASE-CLOSE",
    /// 暂时停产停业期限 (low confidence, not computed here).
    SuspensionMax = "D-SUSPENSION-MAX",
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far a rule has been checked, as recorded in the seed's `confidence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Read in the statute text.
    High,
    /// Paraphrase or partly corroborated.
    Medium,
    /// From memory; check before relying on it.
    Low,
    /// No source found.
    Unknown,
}

impl Confidence {
    /// Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::High => "已核实",
            Self::Medium => "部分核实",
            Self::Low => "待核实",
            Self::Unknown => "未找到依据",
        }
    }

    /// Whether the UI may show the rule without an "unverified" mark.
    pub fn is_verified(self) -> bool {
        self == Self::High
    }
}

/// How the days of a period are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayType {
    /// Every day counts (自然日).
    Calendar,
    /// Only working days count (工作日, holidays and rest days excluded).
    Working,
}

impl DayType {
    /// Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Calendar => "自然日",
            Self::Working => "工作日",
        }
    }
}

/// The seed's `day_type` value, kept as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeedDayType {
    /// `calendar`.
    Calendar,
    /// `working`.
    Working,
    /// `date`: a date fixed in a document rather than a period.
    Date,
}

/// Who must act before the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OwedBy {
    /// The enterprise or person (当事人).
    Party,
    /// The enforcement agency (执法机关).
    Agency,
}

impl OwedBy {
    /// Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Party => "当事人",
            Self::Agency => "执法机关",
        }
    }
}

/// Confidence legend for a statute text quoted in the overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BasisStatus {
    /// `V`: verbatim text present in `laws.json`.
    #[serde(rename = "V")]
    Verified,
    /// `C`: corroborated by the statute text from a secondary copy; not in `laws.json`.
    #[serde(rename = "C")]
    Corroborated,
    /// `M`: unconfirmed.
    #[serde(rename = "M")]
    Unconfirmed,
}

/// The article a counting choice relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatuteBasis {
    /// Law name.
    pub law: String,
    /// Article, e.g. "第八十五条".
    pub article: String,
    /// Article text.
    pub text: String,
    /// How the text was checked.
    pub status: BasisStatus,
}

/// One deadline rule: seed metadata plus the counting overlay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Rule id.
    pub id: RuleId,
    /// Short Chinese name, e.g. "整改复查".
    pub name: String,
    /// Chinese rule text from the seed.
    pub rule_text: String,
    /// Legal source as written in the seed.
    pub legal_source: String,
    /// Seed confidence.
    pub confidence: Confidence,
    /// Day counts (`[10]`, `[30, 90, 180]` …); empty when the rule has none.
    pub days: Vec<u32>,
    /// Hour count, for hour-based rules.
    pub hours: Option<u32>,
    /// Month count, for month-based rules.
    pub months: Option<u32>,
    /// Triggering event, as written in the seed.
    pub start: Option<String>,
    /// Daily surcharge rate in basis points (300 = 3 %), for D-LATE-FEE-3PCT.
    pub rate_per_day_bp: Option<u32>,
    /// Counts (`[3, 4]` for the closure trigger).
    pub counts: Vec<u32>,
    /// `day_type` as written in the seed.
    pub seed_day_type: Option<SeedDayType>,
    /// The day type the software counts `days` in (after the overlay).
    pub day_type: Option<DayType>,
    /// True when the overlay changed the seed's day type (e.g. 行政处罚法第八十五条).
    pub day_type_overridden: bool,
    /// Whether a last day on a rest day or holiday rolls forward to the next working day.
    pub roll_forward: bool,
    /// Who must meet the period, when the overlay says.
    pub owed_by: Option<OwedBy>,
    /// The article the counting relies on, when the overlay quotes one.
    pub basis: Option<StatuteBasis>,
    /// Chinese explanation for officers, from the overlay.
    pub note_zh: Option<String>,
}

/// Errors of the deadline calculator. Messages are Chinese (shown to officers/admins).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    /// A data file is malformed.
    #[error("期限规则数据格式错误：{0}")]
    Data(String),
    /// The rule is not in the loaded data.
    #[error("期限规则 {id} 不存在")]
    RuleMissing {
        /// The missing rule.
        id: RuleId,
    },
    /// The overlay names a rule the seed does not have (or an unknown id).
    #[error("期限补充规则中的 {id} 在文书种子数据中不存在")]
    OverlayUnknown {
        /// The id as written.
        id: String,
    },
    /// The overlay lists a rule twice.
    #[error("期限补充规则 {id} 重复出现")]
    OverlayDuplicate {
        /// The repeated rule.
        id: RuleId,
    },
    /// The overlay's `seed_day_type` no longer matches the seed: review the override.
    #[error("期限规则 {id} 的种子数据计日方式已变化，请复核补充规则")]
    OverlayOutOfDate {
        /// The rule concerned.
        id: RuleId,
    },
    /// The rule does not have the shape this computation needs.
    #[error("期限规则 {id} 不能用于此项计算")]
    WrongShape {
        /// The rule concerned.
        id: RuleId,
    },
    /// A computation stepped outside the representable dates.
    #[error("日期超出可计算范围")]
    OutOfRange,
    /// The calendar failed.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// A computed deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Deadline {
    /// The rule applied.
    pub rule: RuleId,
    /// The triggering date the period was counted from (for backward rules, the event
    /// counted back from, e.g. the hearing date).
    pub start: NaiveDate,
    /// The last day on which the act is in time.
    pub due: NaiveDate,
    /// The last day before any roll-forward (equal to `due` when nothing rolled).
    pub nominal_due: NaiveDate,
    /// How the days were counted (`None` for month periods).
    pub day_type: Option<DayType>,
    /// True when `due` was moved off a rest day or holiday.
    pub rolled_forward: bool,
    /// True when the holiday data did not cover a year the computation looked at.
    pub provisional: bool,
    /// Seed confidence of the rule.
    pub confidence: Confidence,
    /// Who must act, when known.
    pub owed_by: Option<OwedBy>,
}

impl Deadline {
    /// Whether the deadline has passed on `today` (the due day itself is still in time).
    pub fn is_overdue_on(&self, today: NaiveDate) -> bool {
        today > self.due
    }

    /// Whether the UI must show the result as unverified (rule not `high`, or provisional
    /// calendar data).
    pub fn needs_caution(&self) -> bool {
        !self.confidence.is_verified() || self.provisional
    }
}

/// A deadline counted in hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HourDeadline {
    /// The rule applied.
    pub rule: RuleId,
    /// The triggering moment.
    pub start: NaiveDateTime,
    /// The moment the act is due (for backward rules: the latest moment to act).
    pub at: NaiveDateTime,
    /// Seed confidence of the rule.
    pub confidence: Confidence,
}

/// Extension level of the case-handling period (D-DECISION-30-90-180).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionLevel {
    /// 30 days from 立案.
    Standard,
    /// Extended with the agency head's approval: 90 days from 立案.
    Extended,
    /// Extended with the next-higher department's approval: 180 days from 立案.
    Special,
}

impl DecisionLevel {
    fn index(self) -> usize {
        match self {
            Self::Standard => 0,
            Self::Extended => 1,
            Self::Special => 2,
        }
    }

    /// Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Standard => "一般办案期限",
            Self::Extended => "经负责人批准延长",
            Self::Special => "经上一级部门批准延长",
        }
    }
}

/// Dates for applying to a court for enforcement (行政强制法第五十三条、第五十四条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CourtEnforcement {
    /// Last day to apply: three months after the appeal windows closed.
    pub apply_by: Deadline,
    /// Latest day to serve the 催告书 so that ten working days elapse before `apply_by`.
    pub serve_demand_by: Deadline,
    /// First day the application may be filed (the 11th working day after the 催告书 was
    /// served), when the service date is known.
    pub earliest_application: Option<Deadline>,
}

/// The surcharge for late payment (加处罚款).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LateFee {
    /// The fine, in fen.
    pub fine_fen: u64,
    /// Days counted (after the caller removed 复议/诉讼 days).
    pub days: u32,
    /// The surcharge, in fen (rounded half up to the fen, then capped at the fine).
    pub surcharge_fen: u64,
    /// True when the cap (the fine amount) was reached.
    pub capped: bool,
    /// Seed confidence of the rule.
    pub confidence: Confidence,
}

/// Which limb of 安全生产法第一百一十三条第（一）项 was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureBasis {
    /// Three penalties within 180 days.
    ThreeIn180Days,
    /// Four penalties within one year.
    FourInOneYear,
}

impl ClosureBasis {
    /// Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::ThreeIn180Days => "180日内3次受到行政处罚",
            Self::FourInOneYear => "1年内4次受到行政处罚",
        }
    }
}

/// A window of penalties that reached the closure trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClosureWindow {
    /// Date of the first penalty in the window.
    pub first: NaiveDate,
    /// Date of the penalty that reached the count.
    pub last: NaiveDate,
    /// Penalties in the window.
    pub count: u32,
    /// Which limb was reached.
    pub basis: ClosureBasis,
}

/// Result of the closure-trigger check (D-CLOSURE-TRIGGER).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClosureCheck {
    /// Whether either limb is reached.
    pub reached: bool,
    /// Largest number of penalties inside any 180-day window.
    pub max_within_180_days: u32,
    /// Largest number of penalties inside any one-year window.
    pub max_within_one_year: u32,
    /// The earliest window that reached the trigger (by the date of its last penalty).
    pub first_trigger: Option<ClosureWindow>,
    /// Seed confidence of the rule.
    pub confidence: Confidence,
}

// ----- loading -----

#[derive(Deserialize)]
struct RawSeed {
    deadlines: Vec<RawSeedRule>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDays {
    One(u32),
    Many(Vec<u32>),
}

#[derive(Deserialize)]
struct RawSeedRule {
    id: String,
    name: String,
    rule: String,
    legal_source: String,
    confidence: Confidence,
    #[serde(default)]
    days: Option<RawDays>,
    #[serde(default)]
    day_type: Option<SeedDayType>,
    #[serde(default)]
    hours: Option<u32>,
    #[serde(default)]
    months: Option<u32>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    rate_per_day: Option<f64>,
    #[serde(default)]
    counts: Option<Vec<u32>>,
}

#[derive(Deserialize)]
struct RawOverlay {
    rules: Vec<RawOverlayRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverlayRule {
    id: String,
    #[serde(default)]
    day_type: Option<DayType>,
    #[serde(default)]
    seed_day_type: Option<SeedDayType>,
    roll_forward: bool,
    #[serde(default)]
    owed_by: Option<OwedBy>,
    #[serde(default)]
    basis: Option<StatuteBasis>,
    #[serde(default)]
    note_zh: Option<String>,
}

fn seed_effective(t: Option<SeedDayType>) -> Option<DayType> {
    match t {
        Some(SeedDayType::Calendar) => Some(DayType::Calendar),
        Some(SeedDayType::Working) => Some(DayType::Working),
        Some(SeedDayType::Date) | None => None,
    }
}

/// The loaded deadline rules.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineRules {
    rules: BTreeMap<RuleId, Rule>,
}

impl DeadlineRules {
    /// The rules embedded from `data/seed/documents.json` and `data/deadlines/rules.json`.
    ///
    /// Parsed once and cached; the unit tests check the embedded files load.
    pub fn builtin() -> &'static DeadlineRules {
        static RULES: OnceLock<DeadlineRules> = OnceLock::new();
        RULES.get_or_init(|| {
            DeadlineRules::from_json(SEED_JSON, Some(OVERLAY_JSON)).expect("embedded deadline data must be valid")
        })
    }

    /// Loads rules from a `documents.json` text (only `deadlines` is read) and an optional
    /// overlay with the layout of `rules.json`.
    ///
    /// Seed entries whose id this version does not know are skipped; overlay entries must
    /// name a known seed rule, and an overlay `seed_day_type` must match the seed (so a
    /// changed seed forces a review of the override).
    pub fn from_json(documents_json: &str, overlay_json: Option<&str>) -> Result<Self, DeadlineError> {
        let seed: RawSeed = serde_json::from_str(documents_json).map_err(|e| DeadlineError::Data(e.to_string()))?;
        let mut rules = BTreeMap::new();
        for r in seed.deadlines {
            let Some(id) = RuleId::parse(&r.id) else {
                continue;
            };
            let days = match r.days {
                None => Vec::new(),
                Some(RawDays::One(n)) => vec![n],
                Some(RawDays::Many(v)) => v,
            };
            let rate_per_day_bp = match r.rate_per_day {
                None => None,
                Some(rate) if (0.0..=1.0).contains(&rate) => Some((rate * 10_000.0).round() as u32),
                Some(rate) => {
                    return Err(DeadlineError::Data(format!("{} 的 rate_per_day 无效：{rate}", r.id)));
                }
            };
            let rule = Rule {
                id,
                name: r.name,
                rule_text: r.rule,
                legal_source: r.legal_source,
                confidence: r.confidence,
                days,
                hours: r.hours,
                months: r.months,
                start: r.start,
                rate_per_day_bp,
                counts: r.counts.unwrap_or_default(),
                seed_day_type: r.day_type,
                day_type: seed_effective(r.day_type),
                day_type_overridden: false,
                roll_forward: false,
                owed_by: None,
                basis: None,
                note_zh: None,
            };
            rules.insert(id, rule);
        }
        if let Some(text) = overlay_json {
            let overlay: RawOverlay = serde_json::from_str(text).map_err(|e| DeadlineError::Data(e.to_string()))?;
            let mut seen = std::collections::BTreeSet::new();
            for o in overlay.rules {
                let id = RuleId::parse(&o.id).ok_or_else(|| DeadlineError::OverlayUnknown { id: o.id.clone() })?;
                let rule = rules.get_mut(&id).ok_or(DeadlineError::OverlayUnknown { id: o.id.clone() })?;
                if !seen.insert(id) {
                    return Err(DeadlineError::OverlayDuplicate { id });
                }
                if o.seed_day_type.is_some() && o.seed_day_type != rule.seed_day_type {
                    return Err(DeadlineError::OverlayOutOfDate { id });
                }
                if let Some(t) = o.day_type {
                    rule.day_type_overridden = Some(t) != rule.day_type;
                    rule.day_type = Some(t);
                }
                rule.roll_forward = o.roll_forward;
                rule.owed_by = o.owed_by;
                rule.basis = o.basis;
                rule.note_zh = o.note_zh;
            }
        }
        Ok(Self { rules })
    }

    /// The rule with this id.
    pub fn get(&self, id: RuleId) -> Result<&Rule, DeadlineError> {
        self.rules.get(&id).ok_or(DeadlineError::RuleMissing { id })
    }

    /// All loaded rules, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Rule> + '_ {
        self.rules.values()
    }
}

// ----- pure helpers -----

/// `date` plus `months` months: the same day number, clamped to the last day of the target
/// month (民法典第二百零二条). `None` when out of range.
pub fn add_months_clamped(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    // chrono's `checked_add_months` already clamps to the month end.
    date.checked_add_months(Months::new(months))
}

/// Days overdue on `as_of` for a payment due on `due` (the surcharge runs from the day
/// after `due`), minus `excluded_days` the caller must supply: the days of 行政复议 or
/// 行政诉讼 (行政处罚法第七十三条第三款) and any approved deferral. Never negative.
pub fn days_overdue(due: NaiveDate, as_of: NaiveDate, excluded_days: u32) -> u32 {
    let raw = (as_of - due).num_days().max(0);
    let raw = u32::try_from(raw).unwrap_or(u32::MAX);
    raw.saturating_sub(excluded_days)
}

fn add_days(date: NaiveDate, n: u32) -> Result<NaiveDate, DeadlineError> {
    date.checked_add_days(Days::new(u64::from(n))).ok_or(DeadlineError::OutOfRange)
}

fn sub_days(date: NaiveDate, n: u32) -> Result<NaiveDate, DeadlineError> {
    date.checked_sub_days(Days::new(u64::from(n))).ok_or(DeadlineError::OutOfRange)
}

// ----- calculator -----

/// Computes deadlines from a calendar and a rule set.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineCalculator<'a> {
    calendar: &'a WorkCalendar,
    rules: &'a DeadlineRules,
}

impl DeadlineCalculator<'static> {
    /// The calculator over the embedded calendar and rules.
    pub fn builtin() -> Self {
        Self::new(WorkCalendar::builtin(), DeadlineRules::builtin())
    }
}

impl<'a> DeadlineCalculator<'a> {
    /// A calculator over the given calendar and rules.
    pub fn new(calendar: &'a WorkCalendar, rules: &'a DeadlineRules) -> Self {
        Self { calendar, rules }
    }

    /// The calendar used.
    pub fn calendar(&self) -> &'a WorkCalendar {
        self.calendar
    }

    /// The rules used.
    pub fn rules(&self) -> &'a DeadlineRules {
        self.rules
    }

    /// Counts `n` days of `rule`'s day type after `start`, rolling forward if the rule says.
    fn count_days(&self, rule: &Rule, start: NaiveDate, n: u32) -> Result<Deadline, DeadlineError> {
        let day_type = rule.day_type.ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let (nominal, mut provisional) = match day_type {
            DayType::Working => {
                let r = self.calendar.add_working_days(start, n)?;
                (r.date, r.provisional)
            }
            DayType::Calendar => (add_days(start, n)?, false),
        };
        let (due, rolled) = self.roll(rule, nominal, &mut provisional)?;
        Ok(Deadline {
            rule: rule.id,
            start,
            due,
            nominal_due: nominal,
            day_type: Some(day_type),
            rolled_forward: rolled,
            provisional,
            confidence: rule.confidence,
            owed_by: rule.owed_by,
        })
    }

    fn roll(
        &self,
        rule: &Rule,
        nominal: NaiveDate,
        provisional: &mut bool,
    ) -> Result<(NaiveDate, bool), DeadlineError> {
        if !rule.roll_forward {
            return Ok((nominal, false));
        }
        let r = self.calendar.next_working_day_on_or_after(nominal)?;
        *provisional |= r.provisional;
        Ok((r.date, r.date != nominal))
    }

    fn count_months(&self, rule: &Rule, start: NaiveDate) -> Result<Deadline, DeadlineError> {
        let months = rule.months.ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let nominal = add_months_clamped(start, months).ok_or(DeadlineError::OutOfRange)?;
        let mut provisional = false;
        let (due, rolled) = self.roll(rule, nominal, &mut provisional)?;
        Ok(Deadline {
            rule: rule.id,
            start,
            due,
            nominal_due: nominal,
            day_type: None,
            rolled_forward: rolled,
            provisional,
            confidence: rule.confidence,
            owed_by: rule.owed_by,
        })
    }

    /// A forward period of a rule with exactly one day count, started on `start`:
    /// D-REVIEW, D-RESUME-REVIEW, D-REGISTER-BACKFILL, D-STATEMENT-DEFENSE,
    /// D-HEARING-REQUEST, D-EVIDENCE-7D, D-SERVE-7D, D-PUBLICIZE-7WD, D-PAYMENT-15D,
    /// D-ONSPOT-CASH-2D (each of its two legs), D-RECONSIDERATION-60D.
    ///
    /// Rules with several counts, months, hours or a backward direction have their own
    /// functions and give [`DeadlineError::WrongShape`] here.
    pub fn period(&self, id: RuleId, start: NaiveDate) -> Result<Deadline, DeadlineError> {
        let rule = self.rules.get(id)?;
        if rule.days.len() != 1 || rule.months.is_some() || id == RuleId::HearingNotice {
            return Err(DeadlineError::WrongShape { id });
        }
        self.count_days(rule, start, rule.days[0])
    }

    /// 办案期限: decision due 30 / 90 / 180 days after 立案, by extension level.
    pub fn decision_due(&self, registered_on: NaiveDate, level: DecisionLevel) -> Result<Deadline, DeadlineError> {
        let rule = self.rules.get(RuleId::Decision)?;
        let n = *rule.days.get(level.index()).ok_or(DeadlineError::WrongShape { id: rule.id })?;
        self.count_days(rule, registered_on, n)
    }

    /// 查封扣押 ends 30 days after the decision date, 60 when extended; `excluded_days`
    /// (检测、检验、检疫、技术鉴定 days, 行政强制法第二十五条第三款) are added by the caller.
    pub fn seizure_end(
        &self,
        decided_on: NaiveDate,
        extended: bool,
        excluded_days: u32,
    ) -> Result<Deadline, DeadlineError> {
        let rule = self.rules.get(RuleId::Seizure)?;
        let base = *rule.days.first().ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let ext = if extended { *rule.days.get(1).ok_or(DeadlineError::WrongShape { id: rule.id })? } else { 0 };
        let total =
            base.checked_add(ext).and_then(|n| n.checked_add(excluded_days)).ok_or(DeadlineError::OutOfRange)?;
        self.count_days(rule, decided_on, total)
    }

    /// Latest day to apply for a rectification extension: 10 days before the rectification
    /// deadline, under the reading "at least 10 days before" used by the domain reference.
    /// The seed text (限期届满前10日内) is ambiguous and the rule is medium confidence:
    /// show it as a reminder, never block an application with it.
    pub fn extension_request_latest(&self, rectification_deadline: NaiveDate) -> Result<Deadline, DeadlineError> {
        let rule = self.rules.get(RuleId::ExtensionRequest)?;
        let n = *rule.days.first().ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let due = sub_days(rectification_deadline, n)?;
        Ok(Deadline {
            rule: rule.id,
            start: rectification_deadline,
            due,
            nominal_due: due,
            day_type: rule.day_type,
            rolled_forward: false,
            provisional: false,
            confidence: rule.confidence,
            owed_by: Some(OwedBy::Party),
        })
    }

    /// The agency's reply to an extension application is due 5 days after receipt.
    pub fn extension_reply_due(&self, received_on: NaiveDate) -> Result<Deadline, DeadlineError> {
        let rule = self.rules.get(RuleId::ExtensionRequest)?;
        let n = *rule.days.get(1).ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let mut d = self.count_days(rule, received_on, n)?;
        d.owed_by = Some(OwedBy::Agency);
        Ok(d)
    }

    /// Latest day to serve the hearing notice for a hearing on `hearing_on`
    /// (行政处罚法第六十四条第（二）项, working days per 第八十五条).
    ///
    /// Conservative reading: seven whole working days must lie strictly between the
    /// notice day and the hearing day (neither end counted).
    pub fn hearing_notice_latest(&self, hearing_on: NaiveDate) -> Result<Deadline, DeadlineError> {
        let rule = self.rules.get(RuleId::HearingNotice)?;
        let n = *rule.days.first().ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let day_type = rule.day_type.ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let (seventh, provisional) = match day_type {
            DayType::Working => {
                let r = self.calendar.sub_working_days(hearing_on, n)?;
                (r.date, r.provisional)
            }
            DayType::Calendar => (sub_days(hearing_on, n)?, false),
        };
        let due = seventh.pred_opt().ok_or(DeadlineError::OutOfRange)?;
        Ok(Deadline {
            rule: rule.id,
            start: hearing_on,
            due,
            nominal_due: due,
            day_type: Some(day_type),
            rolled_forward: false,
            provisional,
            confidence: rule.confidence,
            owed_by: rule.owed_by,
        })
    }

    /// 行政诉讼 must be filed within 6 months of knowing the decision; rolls forward.
    pub fn litigation_due(&self, known_on: NaiveDate) -> Result<Deadline, DeadlineError> {
        let rule = self.rules.get(RuleId::Litigation)?;
        self.count_months(rule, known_on)
    }

    /// The day the party's appeal windows close: the later of the 行政复议 (60 days) and
    /// 行政诉讼 (6 months) deadlines counted from `known_on` (normally the receipt of the
    /// decision). The returned deadline is the one that closes last.
    pub fn appeal_windows_close(&self, known_on: NaiveDate) -> Result<Deadline, DeadlineError> {
        let reconsideration = self.period(RuleId::Reconsideration, known_on)?;
        let litigation = self.litigation_due(known_on)?;
        Ok(if reconsideration.due > litigation.due { reconsideration } else { litigation })
    }

    /// Dates for applying to the court for enforcement (行政强制法第五十三条、第五十四条).
    ///
    /// `appeal_windows_closed_on` is the last day of the appeal windows (see
    /// [`DeadlineCalculator::appeal_windows_close`]; for approved deferred or instalment
    /// payment, the end of that period, 行政处罚法第七十二条第二款). `demand_served_on` is the
    /// day the 催告书 was served, if it has been.
    pub fn court_enforcement(
        &self,
        appeal_windows_closed_on: NaiveDate,
        demand_served_on: Option<NaiveDate>,
    ) -> Result<CourtEnforcement, DeadlineError> {
        let rule = self.rules.get(RuleId::CourtEnforcement)?;
        let apply_by = self.count_months(rule, appeal_windows_closed_on)?;
        let n = *rule.days.first().ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let day_type = rule.day_type.ok_or(DeadlineError::WrongShape { id: rule.id })?;
        // Last working day on or before `apply_by`, then n working days back, then one day.
        let after = apply_by.due.succ_opt().ok_or(DeadlineError::OutOfRange)?;
        let (serve_by, serve_prov) = match day_type {
            DayType::Working => {
                let last = self.calendar.sub_working_days(after, 1)?;
                let back = self.calendar.sub_working_days(last.date, n)?;
                let d = back.date.pred_opt().ok_or(DeadlineError::OutOfRange)?;
                (d, last.provisional || back.provisional)
            }
            DayType::Calendar => (sub_days(apply_by.due, n.saturating_add(1))?, false),
        };
        let serve_demand_by = Deadline {
            rule: rule.id,
            start: appeal_windows_closed_on,
            due: serve_by,
            nominal_due: serve_by,
            day_type: Some(day_type),
            rolled_forward: false,
            provisional: serve_prov,
            confidence: rule.confidence,
            owed_by: rule.owed_by,
        };
        let earliest_application = match demand_served_on {
            None => None,
            Some(served) => {
                let (date, provisional) = match day_type {
                    DayType::Working => {
                        let r = self.calendar.add_working_days(served, n.saturating_add(1))?;
                        (r.date, r.provisional)
                    }
                    DayType::Calendar => (add_days(served, n.saturating_add(1))?, false),
                };
                Some(Deadline {
                    rule: rule.id,
                    start: served,
                    due: date,
                    nominal_due: date,
                    day_type: Some(day_type),
                    rolled_forward: false,
                    provisional,
                    confidence: rule.confidence,
                    owed_by: rule.owed_by,
                })
            }
        };
        Ok(CourtEnforcement { apply_by, serve_demand_by, earliest_application })
    }

    fn hours(&self, id: RuleId) -> Result<(&Rule, TimeDelta), DeadlineError> {
        let rule = self.rules.get(id)?;
        let h = rule.hours.ok_or(DeadlineError::WrongShape { id })?;
        Ok((rule, TimeDelta::hours(i64::from(h))))
    }

    /// An emergency coercive measure taken at `taken_at` must be reported and approved
    /// within 24 hours (行政强制法第十九条). Hours are absolute: holidays do not matter.
    pub fn emergency_approval_due(&self, taken_at: NaiveDateTime) -> Result<HourDeadline, DeadlineError> {
        let (rule, delta) = self.hours(RuleId::EmergencyMeasureApproval)?;
        let at = taken_at.checked_add_signed(delta).ok_or(DeadlineError::OutOfRange)?;
        Ok(HourDeadline { rule: rule.id, start: taken_at, at, confidence: rule.confidence })
    }

    /// Latest moment to notify the unit of a power cut planned for `cut_at`: 24 hours
    /// before (安全生产法第七十条第二款; emergencies excepted).
    pub fn power_cut_notice_latest(&self, cut_at: NaiveDateTime) -> Result<HourDeadline, DeadlineError> {
        let (rule, delta) = self.hours(RuleId::PowerCutNotice)?;
        let at = cut_at.checked_sub_signed(delta).ok_or(DeadlineError::OutOfRange)?;
        Ok(HourDeadline { rule: rule.id, start: cut_at, at, confidence: rule.confidence })
    }

    /// 加处罚款 for a fine of `fine_fen` fen after `days` days overdue: the daily rate of the
    /// fine (3 %) times the days, rounded half up to the fen, capped at the fine
    /// (行政处罚法第七十二条第一款第（一）项; 行政强制法第四十五条).
    ///
    /// `days` must already exclude 复议/诉讼 days (行政处罚法第七十三条第三款): that is the
    /// caller's job, see [`days_overdue`]. The agency must also have told the party the
    /// surcharge standard (行政强制法第四十五条第一款).
    pub fn late_fee(&self, fine_fen: u64, days: u32) -> Result<LateFee, DeadlineError> {
        let rule = self.rules.get(RuleId::LateFee)?;
        let bp = rule.rate_per_day_bp.ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let raw = u128::from(fine_fen) * u128::from(bp) * u128::from(days);
        let rounded = (raw + 5_000) / 10_000;
        let capped = fine_fen > 0 && days > 0 && rounded >= u128::from(fine_fen);
        let surcharge_fen = if capped { fine_fen } else { rounded as u64 };
        Ok(LateFee { fine_fen, days, surcharge_fen, capped, confidence: rule.confidence })
    }

    /// [`DeadlineCalculator::late_fee`] for a fine in whole yuan (the unit of
    /// `case::Case::fine_yuan`); the surcharge is still returned in fen.
    pub fn late_fee_yuan(&self, fine_yuan: u64, days: u32) -> Result<LateFee, DeadlineError> {
        let fen = fine_yuan.checked_mul(100).ok_or(DeadlineError::OutOfRange)?;
        self.late_fee(fen, days)
    }

    /// Whether penalty dates for a 重大事故隐患 reach 安全生产法第一百一十三条第（一）项:
    /// three penalties within 180 days, or four within one year.
    ///
    /// Each element is the date of one penalty decision under 安全生产法 for the same
    /// enterprise; filtering (same enterprise, penalties that count) is the caller's job.
    /// "Within 180 days" means the last penalty is no later than the first + 180 days;
    /// "within one year" means no later than the same date one year on (民法典第二百零二条).
    pub fn closure_trigger(&self, penalty_dates: &[NaiveDate]) -> Result<ClosureCheck, DeadlineError> {
        let rule = self.rules.get(RuleId::ClosureTrigger)?;
        let short_days = *rule.days.first().ok_or(DeadlineError::WrongShape { id: rule.id })?;
        let short_count = *rule.counts.first().ok_or(DeadlineError::WrongShape { id: rule.id })? as usize;
        let year_count = *rule.counts.get(1).ok_or(DeadlineError::WrongShape { id: rule.id })? as usize;
        let mut dates = penalty_dates.to_vec();
        dates.sort_unstable();

        let mut max_short = 0usize;
        let mut max_year = 0usize;
        let mut first_trigger = None;
        let (mut lo_short, mut lo_year) = (0usize, 0usize);
        for (j, &last) in dates.iter().enumerate() {
            while add_days(dates[lo_short], short_days)? < last {
                lo_short += 1;
            }
            while add_months_clamped(dates[lo_year], 12).ok_or(DeadlineError::OutOfRange)? < last {
                lo_year += 1;
            }
            let in_short = j + 1 - lo_short;
            let in_year = j + 1 - lo_year;
            max_short = max_short.max(in_short);
            max_year = max_year.max(in_year);
            if first_trigger.is_none() {
                if in_short >= short_count {
                    first_trigger = Some(ClosureWindow {
                        first: dates[j + 1 - short_count],
                        last,
                        count: short_count as u32,
                        basis: ClosureBasis::ThreeIn180Days,
                    });
                } else if in_year >= year_count {
                    first_trigger = Some(ClosureWindow {
                        first: dates[j + 1 - year_count],
                        last,
                        count: year_count as u32,
                        basis: ClosureBasis::FourInOneYear,
                    });
                }
            }
        }
        Ok(ClosureCheck {
            reached: first_trigger.is_some(),
            max_within_180_days: max_short as u32,
            max_within_one_year: max_year as u32,
            first_trigger,
            confidence: rule.confidence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn calc() -> DeadlineCalculator<'static> {
        DeadlineCalculator::builtin()
    }

    #[test]
    fn every_rule_id_is_in_the_seed() {
        let rules = DeadlineRules::builtin();
        for id in RuleId::ALL {
            let r = rules.get(*id).unwrap();
            assert_eq!(r.id, *id);
            assert!(!r.name.is_empty());
            assert_eq!(RuleId::parse(id.as_str()), Some(*id));
        }
        assert_eq!(rules.iter().count(), 26);
    }

    #[test]
    fn overrides_follow_article_85_and_69() {
        let rules = DeadlineRules::builtin();
        for id in [
            RuleId::HearingRequest,
            RuleId::StatementDefense,
            RuleId::HearingNotice,
            RuleId::EvidenceDecision,
            RuleId::ServeDecision,
            RuleId::OnSpotCash,
        ] {
            let r = rules.get(id).unwrap();
            assert_eq!(r.seed_day_type, Some(SeedDayType::Calendar), "{id}");
            assert_eq!(r.day_type, Some(DayType::Working), "{id}");
            assert!(r.day_type_overridden, "{id}");
            let basis = r.basis.as_ref().unwrap();
            assert_eq!(basis.article, "第八十五条");
            assert_eq!(basis.status, BasisStatus::Corroborated);
        }
        let court = rules.get(RuleId::CourtEnforcement).unwrap();
        assert_eq!(court.day_type, Some(DayType::Working));
        assert_eq!(court.basis.as_ref().unwrap().article, "第六十九条");
        let publicize = rules.get(RuleId::Publicize).unwrap();
        assert_eq!(publicize.day_type, Some(DayType::Working));
        assert!(!publicize.day_type_overridden);
        // Periods not covered by article 85 stay calendar days.
        for id in [RuleId::Payment, RuleId::Reconsideration, RuleId::Review, RuleId::Decision, RuleId::Seizure] {
            assert_eq!(rules.get(id).unwrap().day_type, Some(DayType::Calendar), "{id}");
        }
        // Party periods roll forward, agency periods do not.
        for id in [RuleId::Payment, RuleId::HearingRequest, RuleId::Reconsideration, RuleId::Litigation] {
            assert!(rules.get(id).unwrap().roll_forward, "{id}");
        }
        for id in [RuleId::Review, RuleId::Decision, RuleId::Seizure, RuleId::CourtEnforcement] {
            assert!(!rules.get(id).unwrap().roll_forward, "{id}");
        }
    }

    #[test]
    fn metadata_comes_from_the_seed() {
        let r = DeadlineRules::builtin().get(RuleId::Review).unwrap();
        assert_eq!(r.name, "整改复查");
        assert_eq!(r.days, vec![10]);
        assert_eq!(r.confidence, Confidence::Medium);
        let r = DeadlineRules::builtin().get(RuleId::Decision).unwrap();
        assert_eq!(r.days, vec![30, 90, 180]);
        assert_eq!(DeadlineRules::builtin().get(RuleId::LateFee).unwrap().rate_per_day_bp, Some(300));
        assert_eq!(DeadlineRules::builtin().get(RuleId::CaseClose).unwrap().confidence, Confidence::Unknown);
    }

    #[test]
    fn publicize_after_national_day_2025() {
        // Decision on Tuesday 2025-09-30; 10-01..10-08 off; 10-11 (Sat) worked.
        let dl = calc().period(RuleId::Publicize, d(2025, 9, 30)).unwrap();
        assert_eq!(dl.due, d(2025, 10, 16));
        assert_eq!(dl.day_type, Some(DayType::Working));
        assert!(!dl.provisional);
        assert_eq!(dl.confidence, Confidence::High);
        assert!(!dl.needs_caution());
    }

    #[test]
    fn hearing_request_skips_spring_festival_2026() {
        // Notice served Friday 2026-02-13. Working days after: 02-14 (Sat, worked),
        // then 02-24, 02-25, 02-26, 02-27.
        let dl = calc().period(RuleId::HearingRequest, d(2026, 2, 13)).unwrap();
        assert_eq!(dl.due, d(2026, 2, 27));
        assert!(!dl.rolled_forward);
        assert_eq!(dl.owed_by, Some(OwedBy::Party));
        // Counted as calendar days it would have been 02-18, in the middle of the festival.
        assert!(dl.due > d(2026, 2, 18));
    }

    #[test]
    fn statement_defense_three_working_days() {
        // Thursday 2025-01-23: 01-24 (Fri), 01-26 (Sun, worked), 01-27 (Mon).
        let dl = calc().period(RuleId::StatementDefense, d(2025, 1, 23)).unwrap();
        assert_eq!(dl.due, d(2025, 1, 27));
        assert_eq!(dl.confidence, Confidence::Medium);
        assert!(dl.needs_caution());
    }

    #[test]
    fn payment_rolls_forward_over_holidays() {
        // Received 2025-09-16; +15 = 2025-10-01 (National Day) -> 2025-10-09.
        let dl = calc().period(RuleId::Payment, d(2025, 9, 16)).unwrap();
        assert_eq!(dl.nominal_due, d(2025, 10, 1));
        assert_eq!(dl.due, d(2025, 10, 9));
        assert!(dl.rolled_forward);
        // Received 2025-09-13; +15 = Sunday 2025-09-28, a worked Sunday: no roll.
        let dl = calc().period(RuleId::Payment, d(2025, 9, 13)).unwrap();
        assert_eq!(dl.due, d(2025, 9, 28));
        assert!(!dl.rolled_forward);
        // Ordinary Saturday 2025-03-15 -> Monday 2025-03-17.
        let dl = calc().period(RuleId::Payment, d(2025, 2, 28)).unwrap();
        assert_eq!(dl.nominal_due, d(2025, 3, 15));
        assert_eq!(dl.due, d(2025, 3, 17));
    }

    #[test]
    fn agency_periods_do_not_roll() {
        // Rectification deadline 2025-09-21; review due +10 = 2025-10-01, a holiday: kept.
        let dl = calc().period(RuleId::Review, d(2025, 9, 21)).unwrap();
        assert_eq!(dl.due, d(2025, 10, 1));
        assert!(!dl.rolled_forward);
        assert_eq!(dl.owed_by, Some(OwedBy::Agency));
    }

    #[test]
    fn serve_and_evidence_are_working_days() {
        // Decided Friday 2026-09-18: 09-20 (Sun, worked) 09-21..09-24, then 中秋 09-25..27,
        // 09-28, 09-29 -> 7th working day is 09-29.
        let dl = calc().period(RuleId::ServeDecision, d(2026, 9, 18)).unwrap();
        assert_eq!(dl.due, d(2026, 9, 29));
        let dl = calc().period(RuleId::EvidenceDecision, d(2026, 9, 18)).unwrap();
        assert_eq!(dl.due, d(2026, 9, 29));
        // On-spot cash: collected Wednesday 2026-09-30: 10-01..10-07 off, 10-08, 10-09.
        let dl = calc().period(RuleId::OnSpotCash, d(2026, 9, 30)).unwrap();
        assert_eq!(dl.due, d(2026, 10, 9));
    }

    #[test]
    fn provisional_outside_covered_years() {
        let dl = calc().period(RuleId::Publicize, d(2027, 1, 25)).unwrap();
        assert!(dl.provisional);
        assert!(dl.needs_caution());
        // A calendar period without roll-forward never consults the calendar.
        let dl = calc().period(RuleId::Review, d(2027, 1, 25)).unwrap();
        assert!(!dl.provisional);
        assert_eq!(dl.due, d(2027, 2, 4));
        // A rolled calendar period in 2027 is provisional.
        let dl = calc().period(RuleId::Payment, d(2027, 1, 25)).unwrap();
        assert!(dl.provisional);
    }

    #[test]
    fn decision_levels() {
        let c = calc();
        assert_eq!(c.decision_due(d(2025, 1, 10), DecisionLevel::Standard).unwrap().due, d(2025, 2, 9));
        assert_eq!(c.decision_due(d(2025, 1, 10), DecisionLevel::Extended).unwrap().due, d(2025, 4, 10));
        assert_eq!(c.decision_due(d(2025, 1, 10), DecisionLevel::Special).unwrap().due, d(2025, 7, 9));
    }

    #[test]
    fn wrong_shapes_are_rejected() {
        let c = calc();
        for id in
            [RuleId::Decision, RuleId::HearingNotice, RuleId::Litigation, RuleId::LateFee, RuleId::CourtEnforcement]
        {
            assert_eq!(c.period(id, d(2025, 1, 1)), Err(DeadlineError::WrongShape { id }));
        }
        assert_eq!(
            DeadlineError::WrongShape { id: RuleId::Decision }.to_string(),
            "期限规则 D-DECISION-30-90-180 不能用于此项计算"
        );
    }

    #[test]
    fn hearing_notice_counts_backwards_in_working_days() {
        // Hearing Monday 2025-10-13: the 7 working days before it are 10-11, 10-10, 10-09,
        // 09-30, 09-29, 09-28, 09-26; the notice must go out by 09-25.
        let dl = calc().hearing_notice_latest(d(2025, 10, 13)).unwrap();
        assert_eq!(dl.due, d(2025, 9, 25));
        assert_eq!(calc().calendar().working_days_between(dl.due, d(2025, 10, 12)).days, 7);
        // Ordinary week: hearing Monday 2025-03-17 -> notice by Wednesday 2025-03-05.
        let dl = calc().hearing_notice_latest(d(2025, 3, 17)).unwrap();
        assert_eq!(dl.due, d(2025, 3, 5));
    }

    #[test]
    fn months_clamp_and_roll() {
        assert_eq!(add_months_clamped(d(2025, 8, 31), 6), Some(d(2026, 2, 28)));
        assert_eq!(add_months_clamped(d(2025, 3, 31), 3), Some(d(2025, 6, 30)));
        // Received 2025-08-31: +6 months = 2026-02-28, a worked Saturday: no roll.
        let dl = calc().litigation_due(d(2025, 8, 31)).unwrap();
        assert_eq!(dl.due, d(2026, 2, 28));
        assert!(!dl.rolled_forward);
        // Received 2025-08-17: +6 months = 2026-02-17, inside the Spring Festival -> 02-24.
        let dl = calc().litigation_due(d(2025, 8, 17)).unwrap();
        assert_eq!(dl.nominal_due, d(2026, 2, 17));
        assert_eq!(dl.due, d(2026, 2, 24));
        assert!(dl.rolled_forward);
        assert_eq!(dl.day_type, None);
    }

    #[test]
    fn appeal_windows_close_with_litigation() {
        let dl = calc().appeal_windows_close(d(2025, 3, 10)).unwrap();
        assert_eq!(dl.rule, RuleId::Litigation);
        assert_eq!(dl.due, d(2025, 9, 10));
        let recon = calc().period(RuleId::Reconsideration, d(2025, 3, 10)).unwrap();
        assert_eq!(recon.due, d(2025, 5, 9));
    }

    #[test]
    fn court_enforcement_dates() {
        // Appeal windows closed 2025-07-08: apply by 2025-10-08 (a holiday; agency limit,
        // not rolled). Last working day on or before: 09-30. Ten working days back from it:
        // 09-29, 09-28(Sun worked), 09-26, 09-25, 09-24, 09-23, 09-22, 09-19, 09-18, 09-17;
        // the demand must be served by 09-16.
        let ce = calc().court_enforcement(d(2025, 7, 8), Some(d(2025, 9, 16))).unwrap();
        assert_eq!(ce.apply_by.due, d(2025, 10, 8));
        assert!(!ce.apply_by.rolled_forward);
        assert_eq!(ce.serve_demand_by.due, d(2025, 9, 16));
        // Served 09-16: the 11th working day after is 09-30, within the limit.
        let earliest = ce.earliest_application.unwrap();
        assert_eq!(earliest.due, d(2025, 9, 30));
        assert!(earliest.due <= ce.apply_by.due);
        // Served a day later, the earliest application date falls after the break.
        let ce = calc().court_enforcement(d(2025, 7, 8), Some(d(2025, 9, 17))).unwrap();
        assert_eq!(ce.earliest_application.unwrap().due, d(2025, 10, 9));
    }

    #[test]
    fn hour_rules() {
        let t = d(2025, 10, 1).and_hms_opt(22, 30, 0).unwrap();
        let a = calc().emergency_approval_due(t).unwrap();
        assert_eq!(a.at, d(2025, 10, 2).and_hms_opt(22, 30, 0).unwrap());
        let p = calc().power_cut_notice_latest(t).unwrap();
        assert_eq!(p.at, d(2025, 9, 30).and_hms_opt(22, 30, 0).unwrap());
        assert_eq!(p.rule, RuleId::PowerCutNotice);
    }

    #[test]
    fn late_fee_three_percent_capped() {
        let c = calc();
        // 10,000 yuan = 1,000,000 fen; 10 days -> 30 % = 300,000 fen.
        let f = c.late_fee(1_000_000, 10).unwrap();
        assert_eq!(f.surcharge_fen, 300_000);
        assert!(!f.capped);
        // 33 days = 99 %; 34 days would be 102 % -> capped at the fine.
        assert_eq!(c.late_fee(1_000_000, 33).unwrap().surcharge_fen, 990_000);
        let f = c.late_fee(1_000_000, 34).unwrap();
        assert_eq!(f.surcharge_fen, 1_000_000);
        assert!(f.capped);
        assert_eq!(c.late_fee(1_000_000, 0).unwrap().surcharge_fen, 0);
        // Rounding half up to the fen: 150 fen * 3 % = 4.5 fen -> 5.
        assert_eq!(c.late_fee(150, 1).unwrap().surcharge_fen, 5);
        assert_eq!(c.late_fee(0, 100).unwrap().surcharge_fen, 0);
        assert_eq!(c.late_fee(u64::MAX, u32::MAX).unwrap().surcharge_fen, u64::MAX);
        assert_eq!(c.late_fee_yuan(10_000, 10).unwrap().surcharge_fen, 300_000);
        assert_eq!(c.late_fee_yuan(u64::MAX, 1), Err(DeadlineError::OutOfRange));
    }

    #[test]
    fn days_overdue_excludes_appeal_days() {
        assert_eq!(days_overdue(d(2025, 3, 1), d(2025, 3, 1), 0), 0);
        assert_eq!(days_overdue(d(2025, 3, 1), d(2025, 3, 2), 0), 1);
        assert_eq!(days_overdue(d(2025, 3, 1), d(2025, 3, 31), 10), 20);
        assert_eq!(days_overdue(d(2025, 3, 1), d(2025, 3, 5), 10), 0);
        assert_eq!(days_overdue(d(2025, 3, 5), d(2025, 3, 1), 0), 0);
    }

    #[test]
    fn closure_trigger_three_in_180_days() {
        let c = calc();
        let r = c.closure_trigger(&[d(2025, 1, 10), d(2025, 3, 1), d(2025, 7, 9)]).unwrap();
        // 2025-01-10 + 180 days = 2025-07-09.
        assert!(r.reached);
        let w = r.first_trigger.unwrap();
        assert_eq!(w.basis, ClosureBasis::ThreeIn180Days);
        assert_eq!((w.first, w.last, w.count), (d(2025, 1, 10), d(2025, 7, 9), 3));
        let r = c.closure_trigger(&[d(2025, 1, 10), d(2025, 3, 1), d(2025, 7, 10)]).unwrap();
        assert!(!r.reached);
        assert_eq!(r.max_within_180_days, 2);
        assert_eq!(r.max_within_one_year, 3);
    }

    #[test]
    fn closure_trigger_four_in_one_year() {
        let c = calc();
        let dates = [d(2025, 12, 15), d(2025, 1, 10), d(2025, 5, 1), d(2025, 9, 1), d(2026, 1, 10)];
        let r = c.closure_trigger(&dates).unwrap();
        assert!(r.reached);
        let w = r.first_trigger.unwrap();
        assert_eq!(w.basis, ClosureBasis::FourInOneYear);
        assert_eq!((w.first, w.last), (d(2025, 1, 10), d(2025, 12, 15)));
        assert_eq!(r.max_within_one_year, 5);
        // One day too late for the one-year limb.
        let r = c.closure_trigger(&[d(2025, 1, 10), d(2025, 5, 1), d(2025, 9, 1), d(2026, 1, 11)]).unwrap();
        assert!(!r.reached);
        assert!(c.closure_trigger(&[]).unwrap().max_within_one_year == 0);
        assert_eq!(ClosureBasis::FourInOneYear.label_zh(), "1年内4次受到行政处罚");
    }

    #[test]
    fn extension_request_and_reply() {
        let c = calc();
        let dl = c.extension_request_latest(d(2025, 6, 30)).unwrap();
        assert_eq!(dl.due, d(2025, 6, 20));
        assert_eq!(dl.owed_by, Some(OwedBy::Party));
        let dl = c.extension_reply_due(d(2025, 6, 20)).unwrap();
        assert_eq!(dl.due, d(2025, 6, 25));
        assert_eq!(dl.owed_by, Some(OwedBy::Agency));
    }

    #[test]
    fn seizure_periods() {
        let c = calc();
        assert_eq!(c.seizure_end(d(2025, 1, 1), false, 0).unwrap().due, d(2025, 1, 31));
        assert_eq!(c.seizure_end(d(2025, 1, 1), true, 0).unwrap().due, d(2025, 3, 2));
        assert_eq!(c.seizure_end(d(2025, 1, 1), false, 5).unwrap().due, d(2025, 2, 5));
    }

    #[test]
    fn overlay_is_checked() {
        let seed = SEED_JSON;
        let unknown = r#"{"rules":[{"id":"D-NOPE","roll_forward":true}]}"#;
        assert!(matches!(DeadlineRules::from_json(seed, Some(unknown)), Err(DeadlineError::OverlayUnknown { .. })));
        let twice = r#"{"rules":[{"id":"D-REVIEW","roll_forward":true},{"id":"D-REVIEW","roll_forward":false}]}"#;
        assert_eq!(
            DeadlineRules::from_json(seed, Some(twice)),
            Err(DeadlineError::OverlayDuplicate { id: RuleId::Review })
        );
        let stale = r#"{"rules":[{"id":"D-PUBLICIZE-7WD","seed_day_type":"calendar","day_type":"working","roll_forward":false}]}"#;
        assert_eq!(
            DeadlineRules::from_json(seed, Some(stale)),
            Err(DeadlineError::OverlayOutOfDate { id: RuleId::Publicize })
        );
        // Without overlay the seed's day types are used as written.
        let plain = DeadlineRules::from_json(seed, None).unwrap();
        assert_eq!(plain.get(RuleId::HearingRequest).unwrap().day_type, Some(DayType::Calendar));
        assert!(matches!(DeadlineRules::from_json("{}", None), Err(DeadlineError::Data(_))));
    }

    #[test]
    fn labels() {
        assert_eq!(Confidence::Low.label_zh(), "待核实");
        assert_eq!(DayType::Working.label_zh(), "工作日");
        assert_eq!(OwedBy::Party.label_zh(), "当事人");
        assert_eq!(DecisionLevel::Special.label_zh(), "经上一级部门批准延长");
        assert_eq!(serde_json::to_string(&RuleId::Review).unwrap(), "\"D-REVIEW\"");
    }
}
