//! Workflow state machines: inspection, hazard (整改→复查) and case (立案 … 结案).
//!
//! Statuses only move forward along the legal process; every transition is a pure
//! function of the current state, an event and the time passed in by the caller.
//!
//! - [`transition`] applies an event and returns the new status or a [`TransitionError`]
//!   whose message (Chinese) tells the officer why the move is not allowed.
//! - [`merge`] combines two statuses recorded on different devices: the furthest one wins;
//!   two statuses on diverging branches (e.g. 已结案 vs 已终止, 已整改 vs 复查未通过) are
//!   flagged as a [`StatusConflict`] for a supervisor, never resolved silently. The
//!   provisional winner is fixed by [`Workflow::rank`], a total order that extends
//!   "reachable from", so merging is commutative, associative and idempotent.
//! - Deadline hooks ([`hazard_review_due`], [`case_decision_due`],
//!   [`CaseEvent::started_deadlines`] …) compute the statutory deadlines an event starts.
//!
//! The machines only know statuses. Checks that need the record (e.g. that a 行政处罚决定
//! follows a 告知, or that an extension was asked for in time) belong to the record's
//! module; this one guarantees the order of the process.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::deadline::{Deadline, DeadlineCalculator, DeadlineError, DecisionLevel, RuleId};

/// Status of an on-site inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    /// Planned, not started (a task exists).
    Planned,
    /// Inspector is on site ticking items.
    InProgress,
    /// On-site work finished, 现场检查记录 can be issued.
    Completed,
    /// Submitted to the supervisor.
    Submitted,
    /// Reviewed by the supervisor (final).
    Reviewed,
    /// Cancelled before completion (final).
    Cancelled,
}

/// Status of a hazard / finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardStatus {
    /// Recorded, rectification ordered (责令限期整改), deadline running.
    Open,
    /// The enterprise asked for 复查 (or the deadline passed and 复查 is due).
    ReviewRequested,
    /// 复查 found it rectified (final).
    Rectified,
    /// 复查 found it not rectified; a case is usually opened.
    ReviewFailed,
    /// Handed over to a penalty case (final for the hazard).
    Escalated,
}

/// Status of an administrative penalty case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 立案 approved.
    Registered,
    /// 调查取证.
    Investigating,
    /// 行政处罚告知 served; 陈述申辩 / 听证 window running.
    Notified,
    /// A hearing was requested and is being held.
    Hearing,
    /// 案件处理呈批 / 法制审核 / 集体讨论.
    UnderReview,
    /// 行政处罚决定 made.
    Decided,
    /// Decision served (送达).
    Served,
    /// Execution (缴款, 催告, 强制执行).
    Executing,
    /// 结案 (final).
    Closed,
    /// Case withdrawn (撤销立案) or transferred (移送) (final).
    Terminated,
}

// ---------------------------------------------------------------------------------------
// Common machinery
// ---------------------------------------------------------------------------------------

/// Which state machine a status or error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Machine {
    /// On-site inspection.
    Inspection,
    /// Hazard / finding.
    Hazard,
    /// Administrative penalty case.
    Case,
}

impl Machine {
    /// Chinese noun for messages: 检查 / 隐患 / 案件.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Inspection => "检查",
            Self::Hazard => "隐患",
            Self::Case => "案件",
        }
    }
}

/// A status of any of the three machines (used in errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "machine", content = "status", rename_all = "snake_case")]
pub enum AnyStatus {
    /// An inspection status.
    Inspection(InspectionStatus),
    /// A hazard status.
    Hazard(HazardStatus),
    /// A case status.
    Case(CaseStatus),
}

impl AnyStatus {
    /// The machine the status belongs to.
    pub fn machine(self) -> Machine {
        match self {
            Self::Inspection(_) => Machine::Inspection,
            Self::Hazard(_) => Machine::Hazard,
            Self::Case(_) => Machine::Case,
        }
    }

    /// Chinese label of the status.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Inspection(s) => s.label_zh(),
            Self::Hazard(s) => s.label_zh(),
            Self::Case(s) => s.label_zh(),
        }
    }
}

/// Why a transition was refused. The Display text is shown to the officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The status is final (e.g. "已结案的案件不能再变更状态").
    #[error("{}的{}不能再变更状态", .from.label_zh(), .from.machine().label_zh())]
    Final {
        /// The final status.
        from: AnyStatus,
    },
    /// The event is not allowed in the current status.
    #[error("{}当前为「{}」，不能{}", .from.machine().label_zh(), .from.label_zh(), .event)]
    NotAllowed {
        /// The current status.
        from: AnyStatus,
        /// Chinese label of the refused event.
        event: &'static str,
    },
    /// A rectification extension whose new deadline is not after the approval date.
    #[error("延期后的整改期限（{new_deadline}）必须晚于批准延期的日期（{date}）")]
    ExtensionNotAfter {
        /// The requested new deadline.
        new_deadline: NaiveDate,
        /// The approval date.
        date: NaiveDate,
    },
}

/// A forward-only state machine over a status enum.
pub trait Workflow: Copy + Eq + Sized + 'static {
    /// Events the machine accepts.
    type Event;
    /// Which machine this is.
    const MACHINE: Machine;
    /// Every status.
    const ALL: &'static [Self];

    /// Position in a total order that extends "reachable from": if `b` is reachable from
    /// `a` then `a.rank() <= b.rank()`. Between statuses on diverging branches it decides
    /// the provisional winner of [`merge`].
    fn rank(self) -> u8;
    /// Whether no event is accepted any more.
    fn is_terminal(self) -> bool;
    /// Statuses reachable in one event (excluding staying in place).
    fn successors(self) -> &'static [Self];
    /// Chinese label.
    fn label(self) -> &'static str;
    /// Wraps the status for errors.
    fn any(self) -> AnyStatus;
    /// The status after `event`, or why not.
    fn apply(self, event: &Self::Event) -> Result<Self, TransitionError>;

    /// Whether `to` can be reached from `self` by zero or more legal events.
    fn can_reach(self, to: Self) -> bool {
        if self == to {
            return true;
        }
        // The graphs are tiny (≤ 10 nodes) and acyclic apart from self-loops.
        let mut stack = vec![self];
        let mut seen: Vec<Self> = Vec::new();
        while let Some(s) = stack.pop() {
            for &n in s.successors() {
                if n == to {
                    return true;
                }
                if !seen.contains(&n) {
                    seen.push(n);
                    stack.push(n);
                }
            }
        }
        false
    }
}

/// Applies `event` to `state`: the new status, or a [`TransitionError`] with a Chinese
/// message for an illegal move.
pub fn transition<S: Workflow>(state: S, event: &S::Event) -> Result<S, TransitionError> {
    state.apply(event)
}

fn refuse<S: Workflow>(from: S, event: &'static str) -> TransitionError {
    if from.is_terminal() {
        TransitionError::Final { from: from.any() }
    } else {
        TransitionError::NotAllowed { from: from.any(), event }
    }
}

/// Two statuses recorded concurrently on diverging branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusConflict<S> {
    /// The status with the lower rank.
    pub lower: S,
    /// The status with the higher rank (the provisional winner).
    pub higher: S,
    /// Both statuses are final (e.g. 已结案 vs 已终止): always needs a supervisor.
    pub both_terminal: bool,
}

/// Result of merging two statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusMerge<S> {
    /// The merged status: the furthest one, or the provisional winner of a conflict.
    pub status: S,
    /// Set when neither status can be reached from the other.
    pub conflict: Option<StatusConflict<S>>,
}

/// Merges two statuses of the same record (used by sync). Statuses only move forward, so
/// the one further along wins; when neither is reachable from the other the higher
/// [`Workflow::rank`] wins provisionally and the pair is returned as a conflict.
///
/// Total, commutative, associative (on `status`) and idempotent.
pub fn merge<S: Workflow>(a: S, b: S) -> StatusMerge<S> {
    let (lower, higher) = if a.rank() <= b.rank() { (a, b) } else { (b, a) };
    let conflict = if lower.can_reach(higher) {
        None
    } else {
        Some(StatusConflict { lower, higher, both_terminal: lower.is_terminal() && higher.is_terminal() })
    };
    StatusMerge { status: higher, conflict }
}

// ---------------------------------------------------------------------------------------
// Inspection
// ---------------------------------------------------------------------------------------

/// Events of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InspectionEvent {
    /// Inspectors arrive on site: 待检查 → 检查中.
    Start,
    /// On-site work finished: 检查中 → 检查完成.
    Complete,
    /// Sent to the supervisor: 检查完成 → 已提交审核.
    Submit,
    /// Supervisor reviewed: 已提交审核 → 已审核.
    Review,
    /// Cancelled before completion: 待检查 / 检查中 → 已取消.
    Cancel,
}

impl InspectionEvent {
    /// Chinese label (a verb phrase).
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Start => "开始检查",
            Self::Complete => "完成检查",
            Self::Submit => "提交审核",
            Self::Review => "审核",
            Self::Cancel => "取消检查",
        }
    }
}

impl InspectionStatus {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Planned => "待检查",
            Self::InProgress => "检查中",
            Self::Completed => "检查完成",
            Self::Submitted => "已提交审核",
            Self::Reviewed => "已审核",
            Self::Cancelled => "已取消",
        }
    }
}

impl Workflow for InspectionStatus {
    type Event = InspectionEvent;
    const MACHINE: Machine = Machine::Inspection;
    const ALL: &'static [Self] =
        &[Self::Planned, Self::InProgress, Self::Completed, Self::Submitted, Self::Reviewed, Self::Cancelled];

    fn rank(self) -> u8 {
        // A cancelled inspection loses provisionally against any completed one.
        match self {
            Self::Planned => 0,
            Self::InProgress => 1,
            Self::Cancelled => 2,
            Self::Completed => 3,
            Self::Submitted => 4,
            Self::Reviewed => 5,
        }
    }

    fn is_terminal(self) -> bool {
        matches!(self, Self::Reviewed | Self::Cancelled)
    }

    fn successors(self) -> &'static [Self] {
        match self {
            Self::Planned => &[Self::InProgress, Self::Cancelled],
            Self::InProgress => &[Self::Completed, Self::Cancelled],
            Self::Completed => &[Self::Submitted],
            Self::Submitted => &[Self::Reviewed],
            Self::Reviewed | Self::Cancelled => &[],
        }
    }

    fn label(self) -> &'static str {
        self.label_zh()
    }

    fn any(self) -> AnyStatus {
        AnyStatus::Inspection(self)
    }

    fn apply(self, event: &InspectionEvent) -> Result<Self, TransitionError> {
        use InspectionEvent as E;
        match (self, event) {
            (Self::Planned, E::Start) => Ok(Self::InProgress),
            (Self::InProgress, E::Complete) => Ok(Self::Completed),
            (Self::Completed, E::Submit) => Ok(Self::Submitted),
            (Self::Submitted, E::Review) => Ok(Self::Reviewed),
            (Self::Planned | Self::InProgress, E::Cancel) => Ok(Self::Cancelled),
            (from, e) => Err(refuse(from, e.label_zh())),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Hazard
// ---------------------------------------------------------------------------------------

/// Events of a hazard (责令限期整改 → 复查).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HazardEvent {
    /// The enterprise applies for 复查: 整改中 → 待复查.
    RequestReview {
        /// Date the application was received.
        date: NaiveDate,
    },
    /// 复查 done (整改复查意见书): → 已整改 or 复查未通过. Allowed from 整改中 too, for the
    /// review due after the deadline passed without an application.
    Review {
        /// Whether the hazard was found rectified.
        passed: bool,
        /// Date of the review.
        date: NaiveDate,
    },
    /// Rectification deadline extended (处罚办法第十七条); stays 整改中.
    ExtendDeadline {
        /// The new rectification deadline.
        new_deadline: NaiveDate,
        /// Date the extension was approved.
        date: NaiveDate,
    },
    /// Handed over to a penalty case (立案): → 已移交立案.
    Escalate,
}

impl HazardEvent {
    /// Chinese label (a verb phrase).
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::RequestReview { .. } => "申请复查",
            Self::Review { .. } => "复查",
            Self::ExtendDeadline { .. } => "延期整改",
            Self::Escalate => "移交立案",
        }
    }

    /// Deadlines this event starts, given the hazard's current rectification deadline:
    /// a review application starts the 复查 period (D-REVIEW); an extension moves it.
    pub fn started_deadlines(
        &self,
        calc: &DeadlineCalculator<'_>,
        rectification_deadline: NaiveDate,
    ) -> Result<Vec<Deadline>, DeadlineError> {
        Ok(match *self {
            Self::RequestReview { date } => {
                vec![hazard_review_due(calc, rectification_deadline, Some(date))?]
            }
            Self::ExtendDeadline { new_deadline, .. } => {
                vec![hazard_review_due(calc, new_deadline, None)?]
            }
            Self::Review { .. } | Self::Escalate => Vec::new(),
        })
    }
}

impl HazardStatus {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "整改中",
            Self::ReviewRequested => "待复查",
            Self::Rectified => "已整改",
            Self::ReviewFailed => "复查未通过",
            Self::Escalated => "已移交立案",
        }
    }
}

impl Workflow for HazardStatus {
    type Event = HazardEvent;
    const MACHINE: Machine = Machine::Hazard;
    const ALL: &'static [Self] =
        &[Self::Open, Self::ReviewRequested, Self::Rectified, Self::ReviewFailed, Self::Escalated];

    fn rank(self) -> u8 {
        // Between diverging results the more cautious one wins provisionally:
        // 复查未通过 over 已整改, 已移交立案 over both.
        match self {
            Self::Open => 0,
            Self::ReviewRequested => 1,
            Self::Rectified => 2,
            Self::ReviewFailed => 3,
            Self::Escalated => 4,
        }
    }

    fn is_terminal(self) -> bool {
        matches!(self, Self::Rectified | Self::Escalated)
    }

    fn successors(self) -> &'static [Self] {
        match self {
            Self::Open => &[Self::ReviewRequested, Self::Rectified, Self::ReviewFailed, Self::Escalated],
            Self::ReviewRequested => &[Self::Rectified, Self::ReviewFailed, Self::Escalated],
            Self::ReviewFailed => &[Self::Escalated],
            Self::Rectified | Self::Escalated => &[],
        }
    }

    fn label(self) -> &'static str {
        self.label_zh()
    }

    fn any(self) -> AnyStatus {
        AnyStatus::Hazard(self)
    }

    fn apply(self, event: &HazardEvent) -> Result<Self, TransitionError> {
        use HazardEvent as E;
        match (self, event) {
            (Self::Open, E::RequestReview { .. }) => Ok(Self::ReviewRequested),
            (Self::Open | Self::ReviewRequested, E::Review { passed, .. }) => {
                Ok(if *passed { Self::Rectified } else { Self::ReviewFailed })
            }
            (Self::Open, E::ExtendDeadline { new_deadline, date }) => {
                if new_deadline > date {
                    Ok(Self::Open)
                } else {
                    Err(TransitionError::ExtensionNotAfter { new_deadline: *new_deadline, date: *date })
                }
            }
            (Self::Open | Self::ReviewRequested | Self::ReviewFailed, E::Escalate) => Ok(Self::Escalated),
            (from, e) => Err(refuse(from, e.label_zh())),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Case
// ---------------------------------------------------------------------------------------

/// Why a case ended without 结案.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminationReason {
    /// 撤销立案 (e.g. 违法事实不能成立).
    Withdrawn,
    /// 移送 to another authority (案件移送书).
    Transferred,
}

impl TerminationReason {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Withdrawn => "撤销立案",
            Self::Transferred => "移送",
        }
    }
}

/// Events of a penalty case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseEvent {
    /// 调查取证 starts: 已立案 → 调查取证.
    Investigate,
    /// 行政处罚告知书 (and 听证告知书 where applicable) served: 调查取证 → 已告知.
    Notify {
        /// Date the notice was served on the party.
        served_on: NaiveDate,
    },
    /// The party requested a hearing: 已告知 → 听证.
    RequestHearing {
        /// Date the request was received.
        on: NaiveDate,
    },
    /// The party waived 陈述申辩 and 听证 in writing: 已告知 → 审核审批.
    WaiveHearing,
    /// Sent to 案件处理呈批 / 法制审核 / 集体讨论 after the notice window or the hearing:
    /// 已告知 / 听证 → 审核审批.
    SubmitForReview,
    /// 行政处罚决定 made: 审核审批 → 已作出决定.
    Decide {
        /// Decision date.
        on: NaiveDate,
    },
    /// Decision served: 已作出决定 → 已送达.
    Serve {
        /// Date the party received the decision.
        on: NaiveDate,
    },
    /// Execution starts (催告, 加处罚款, 强制执行): 已送达 → 执行中.
    StartExecution,
    /// 结案: 已送达 / 执行中 → 已结案.
    Close {
        /// Date of the 结案审批.
        on: NaiveDate,
    },
    /// 撤销立案 or 移送 from any non-final status: → 已终止.
    Terminate {
        /// Why.
        reason: TerminationReason,
    },
}

impl CaseEvent {
    /// Chinese label (a verb phrase).
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Investigate => "开始调查取证",
            Self::Notify { .. } => "送达行政处罚告知书",
            Self::RequestHearing { .. } => "申请听证",
            Self::WaiveHearing => "放弃陈述申辩和听证",
            Self::SubmitForReview => "提交审核审批",
            Self::Decide { .. } => "作出行政处罚决定",
            Self::Serve { .. } => "送达行政处罚决定书",
            Self::StartExecution => "进入执行",
            Self::Close { .. } => "结案",
            Self::Terminate { reason: TerminationReason::Withdrawn } => "撤销立案",
            Self::Terminate { reason: TerminationReason::Transferred } => "移送",
        }
    }

    /// Deadlines this event starts:
    ///
    /// - `Notify`: 陈述申辩 (D-STATEMENT-DEFENSE) and 听证申请 (D-HEARING-REQUEST) windows.
    ///   The hearing window only matters when a 听证告知书 was served; drop it otherwise.
    /// - `Decide`: 送达 (D-SERVE-7D) and 公示 (D-PUBLICIZE-7WD).
    /// - `Serve`: 缴纳罚款 (D-PAYMENT-15D), 行政复议 (D-RECONSIDERATION-60D) and 行政诉讼
    ///   (D-LITIGATION-6M), all from the day the party received the decision.
    ///
    /// The 办案期限 starts at 立案, which is not an event: see [`case_decision_due`]. The
    /// hearing notice is counted back from the hearing date: see
    /// [`DeadlineCalculator::hearing_notice_latest`].
    pub fn started_deadlines(&self, calc: &DeadlineCalculator<'_>) -> Result<Vec<Deadline>, DeadlineError> {
        Ok(match *self {
            Self::Notify { served_on } => {
                vec![case_statement_window_end(calc, served_on)?, case_hearing_request_window_end(calc, served_on)?]
            }
            Self::Decide { on } => {
                vec![case_service_due(calc, on)?, case_publication_due(calc, on)?]
            }
            Self::Serve { on } => {
                vec![case_payment_due(calc, on)?, calc.period(RuleId::Reconsideration, on)?, calc.litigation_due(on)?]
            }
            Self::Investigate
            | Self::RequestHearing { .. }
            | Self::WaiveHearing
            | Self::SubmitForReview
            | Self::StartExecution
            | Self::Close { .. }
            | Self::Terminate { .. } => Vec::new(),
        })
    }
}

impl CaseStatus {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Registered => "已立案",
            Self::Investigating => "调查取证",
            Self::Notified => "已告知",
            Self::Hearing => "听证",
            Self::UnderReview => "审核审批",
            Self::Decided => "已作出决定",
            Self::Served => "已送达",
            Self::Executing => "执行中",
            Self::Closed => "已结案",
            Self::Terminated => "已终止",
        }
    }
}

impl Workflow for CaseStatus {
    type Event = CaseEvent;
    const MACHINE: Machine = Machine::Case;
    const ALL: &'static [Self] = &[
        Self::Registered,
        Self::Investigating,
        Self::Notified,
        Self::Hearing,
        Self::UnderReview,
        Self::Decided,
        Self::Served,
        Self::Executing,
        Self::Closed,
        Self::Terminated,
    ];

    fn rank(self) -> u8 {
        // 已终止 is reachable from every open status; against 已结案 (the only status it
        // cannot be reached from) 已结案 wins provisionally and the pair is flagged.
        match self {
            Self::Registered => 0,
            Self::Investigating => 1,
            Self::Notified => 2,
            Self::Hearing => 3,
            Self::UnderReview => 4,
            Self::Decided => 5,
            Self::Served => 6,
            Self::Executing => 7,
            Self::Terminated => 8,
            Self::Closed => 9,
        }
    }

    fn is_terminal(self) -> bool {
        matches!(self, Self::Closed | Self::Terminated)
    }

    fn successors(self) -> &'static [Self] {
        match self {
            Self::Registered => &[Self::Investigating, Self::Terminated],
            Self::Investigating => &[Self::Notified, Self::Terminated],
            Self::Notified => &[Self::Hearing, Self::UnderReview, Self::Terminated],
            Self::Hearing => &[Self::UnderReview, Self::Terminated],
            Self::UnderReview => &[Self::Decided, Self::Terminated],
            Self::Decided => &[Self::Served, Self::Terminated],
            Self::Served => &[Self::Executing, Self::Closed, Self::Terminated],
            Self::Executing => &[Self::Closed, Self::Terminated],
            Self::Closed | Self::Terminated => &[],
        }
    }

    fn label(self) -> &'static str {
        self.label_zh()
    }

    fn any(self) -> AnyStatus {
        AnyStatus::Case(self)
    }

    fn apply(self, event: &CaseEvent) -> Result<Self, TransitionError> {
        use CaseEvent as E;
        match (self, event) {
            (Self::Registered, E::Investigate) => Ok(Self::Investigating),
            (Self::Investigating, E::Notify { .. }) => Ok(Self::Notified),
            (Self::Notified, E::RequestHearing { .. }) => Ok(Self::Hearing),
            (Self::Notified, E::WaiveHearing) => Ok(Self::UnderReview),
            (Self::Notified | Self::Hearing, E::SubmitForReview) => Ok(Self::UnderReview),
            (Self::UnderReview, E::Decide { .. }) => Ok(Self::Decided),
            (Self::Decided, E::Serve { .. }) => Ok(Self::Served),
            (Self::Served, E::StartExecution) => Ok(Self::Executing),
            (Self::Served | Self::Executing, E::Close { .. }) => Ok(Self::Closed),
            (from, E::Terminate { .. }) if !from.is_terminal() => Ok(Self::Terminated),
            (from, e) => Err(refuse(from, e.label_zh())),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Deadline hooks
// ---------------------------------------------------------------------------------------

/// 复查 due (D-REVIEW): 10 days after the rectification deadline, or after the review
/// application when that came first ("自复查申请或整改期限届满之日起10日内").
pub fn hazard_review_due(
    calc: &DeadlineCalculator<'_>,
    rectification_deadline: NaiveDate,
    review_requested_on: Option<NaiveDate>,
) -> Result<Deadline, DeadlineError> {
    let trigger = match review_requested_on {
        Some(r) if r < rectification_deadline => r,
        _ => rectification_deadline,
    };
    calc.period(RuleId::Review, trigger)
}

/// 办案期限 (D-DECISION-30-90-180): 30 days after 立案, 90 or 180 with approval.
pub fn case_decision_due(
    calc: &DeadlineCalculator<'_>,
    registered_on: NaiveDate,
    level: DecisionLevel,
) -> Result<Deadline, DeadlineError> {
    calc.decision_due(registered_on, level)
}

/// End of the 陈述申辩 window (D-STATEMENT-DEFENSE, 3 working days after the notice).
pub fn case_statement_window_end(
    calc: &DeadlineCalculator<'_>,
    notice_served_on: NaiveDate,
) -> Result<Deadline, DeadlineError> {
    calc.period(RuleId::StatementDefense, notice_served_on)
}

/// End of the hearing-request window (D-HEARING-REQUEST, 5 working days after the notice).
pub fn case_hearing_request_window_end(
    calc: &DeadlineCalculator<'_>,
    notice_served_on: NaiveDate,
) -> Result<Deadline, DeadlineError> {
    calc.period(RuleId::HearingRequest, notice_served_on)
}

/// Service of the decision when the party was absent (D-SERVE-7D, 7 working days).
pub fn case_service_due(calc: &DeadlineCalculator<'_>, decided_on: NaiveDate) -> Result<Deadline, DeadlineError> {
    calc.period(RuleId::ServeDecision, decided_on)
}

/// Publication of the penalty (D-PUBLICIZE-7WD, 7 working days after the decision).
pub fn case_publication_due(calc: &DeadlineCalculator<'_>, decided_on: NaiveDate) -> Result<Deadline, DeadlineError> {
    calc.period(RuleId::Publicize, decided_on)
}

/// Payment of the fine (D-PAYMENT-15D, 15 days after receipt, rolled forward).
pub fn case_payment_due(calc: &DeadlineCalculator<'_>, received_on: NaiveDate) -> Result<Deadline, DeadlineError> {
    calc.period(RuleId::Payment, received_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn inspection_happy_path_and_cancel() {
        let mut s = InspectionStatus::Planned;
        for e in [InspectionEvent::Start, InspectionEvent::Complete, InspectionEvent::Submit, InspectionEvent::Review] {
            s = transition(s, &e).unwrap();
        }
        assert_eq!(s, InspectionStatus::Reviewed);
        assert_eq!(transition(InspectionStatus::InProgress, &InspectionEvent::Cancel), Ok(InspectionStatus::Cancelled));
        let err = transition(InspectionStatus::Completed, &InspectionEvent::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "检查当前为「检查完成」，不能取消检查");
        let err = transition(InspectionStatus::Reviewed, &InspectionEvent::Submit).unwrap_err();
        assert_eq!(err.to_string(), "已审核的检查不能再变更状态");
    }

    #[test]
    fn hazard_paths() {
        let s = transition(HazardStatus::Open, &HazardEvent::RequestReview { date: d(2025, 5, 6) }).unwrap();
        assert_eq!(s, HazardStatus::ReviewRequested);
        assert_eq!(
            transition(s, &HazardEvent::Review { passed: true, date: d(2025, 5, 9) }),
            Ok(HazardStatus::Rectified)
        );
        assert_eq!(
            transition(HazardStatus::Open, &HazardEvent::Review { passed: false, date: d(2025, 5, 9) }),
            Ok(HazardStatus::ReviewFailed)
        );
        assert_eq!(transition(HazardStatus::ReviewFailed, &HazardEvent::Escalate), Ok(HazardStatus::Escalated));
        let ext = HazardEvent::ExtendDeadline { new_deadline: d(2025, 6, 30), date: d(2025, 6, 1) };
        assert_eq!(transition(HazardStatus::Open, &ext), Ok(HazardStatus::Open));
        let bad = HazardEvent::ExtendDeadline { new_deadline: d(2025, 6, 1), date: d(2025, 6, 1) };
        assert_eq!(
            transition(HazardStatus::Open, &bad).unwrap_err().to_string(),
            "延期后的整改期限（2025-06-01）必须晚于批准延期的日期（2025-06-01）"
        );
        assert_eq!(
            transition(HazardStatus::ReviewRequested, &ext).unwrap_err().to_string(),
            "隐患当前为「待复查」，不能延期整改"
        );
        assert_eq!(
            transition(HazardStatus::Rectified, &HazardEvent::Escalate).unwrap_err().to_string(),
            "已整改的隐患不能再变更状态"
        );
    }

    #[test]
    fn case_happy_path_with_hearing() {
        let events = [
            CaseEvent::Investigate,
            CaseEvent::Notify { served_on: d(2025, 3, 3) },
            CaseEvent::RequestHearing { on: d(2025, 3, 5) },
            CaseEvent::SubmitForReview,
            CaseEvent::Decide { on: d(2025, 4, 1) },
            CaseEvent::Serve { on: d(2025, 4, 2) },
            CaseEvent::StartExecution,
            CaseEvent::Close { on: d(2025, 5, 1) },
        ];
        let mut s = CaseStatus::Registered;
        for e in &events {
            let next = transition(s, e).unwrap();
            assert!(next.rank() > s.rank());
            s = next;
        }
        assert_eq!(s, CaseStatus::Closed);
        let err = transition(s, &CaseEvent::Terminate { reason: TerminationReason::Withdrawn }).unwrap_err();
        assert_eq!(err.to_string(), "已结案的案件不能再变更状态");
        assert_eq!(err, TransitionError::Final { from: AnyStatus::Case(CaseStatus::Closed) });
    }

    #[test]
    fn case_refuses_skipping_steps() {
        // No decision without 告知 and review.
        let err = transition(CaseStatus::Investigating, &CaseEvent::Decide { on: d(2025, 1, 1) }).unwrap_err();
        assert_eq!(err.to_string(), "案件当前为「调查取证」，不能作出行政处罚决定");
        assert!(transition(CaseStatus::Investigating, &CaseEvent::SubmitForReview).is_err());
        assert!(transition(CaseStatus::Decided, &CaseEvent::Close { on: d(2025, 1, 1) }).is_err());
        assert!(transition(CaseStatus::Hearing, &CaseEvent::WaiveHearing).is_err());
        assert_eq!(transition(CaseStatus::Notified, &CaseEvent::WaiveHearing), Ok(CaseStatus::UnderReview));
        assert_eq!(transition(CaseStatus::Served, &CaseEvent::Close { on: d(2025, 1, 1) }), Ok(CaseStatus::Closed));
        assert_eq!(
            transition(CaseStatus::Executing, &CaseEvent::Terminate { reason: TerminationReason::Transferred }),
            Ok(CaseStatus::Terminated)
        );
        assert_eq!(
            transition(CaseStatus::Terminated, &CaseEvent::Investigate).unwrap_err().to_string(),
            "已终止的案件不能再变更状态"
        );
    }

    /// Every accepted transition goes to a listed successor (or stays), and every listed
    /// successor is produced by some event: the tables cannot drift apart.
    #[test]
    fn successor_tables_match_apply() {
        fn check<S: Workflow + std::fmt::Debug>(events: &[S::Event]) {
            for &s in S::ALL {
                let mut produced = Vec::new();
                for e in events {
                    if let Ok(n) = s.apply(e) {
                        assert!(n == s || s.successors().contains(&n), "{s:?} -> {n:?}");
                        assert!(n.rank() >= s.rank(), "{s:?} -> {n:?} goes backwards");
                        produced.push(n);
                    }
                }
                for n in s.successors() {
                    assert!(produced.contains(n), "{s:?} -> {n:?} not produced by any event");
                    assert!(n.rank() > s.rank());
                }
                assert_eq!(s.is_terminal(), s.successors().is_empty(), "{s:?}");
            }
        }
        let day = d(2025, 1, 1);
        check::<InspectionStatus>(&[
            InspectionEvent::Start,
            InspectionEvent::Complete,
            InspectionEvent::Submit,
            InspectionEvent::Review,
            InspectionEvent::Cancel,
        ]);
        check::<HazardStatus>(&[
            HazardEvent::RequestReview { date: day },
            HazardEvent::Review { passed: true, date: day },
            HazardEvent::Review { passed: false, date: day },
            HazardEvent::ExtendDeadline { new_deadline: d(2025, 2, 1), date: day },
            HazardEvent::Escalate,
        ]);
        check::<CaseStatus>(&[
            CaseEvent::Investigate,
            CaseEvent::Notify { served_on: day },
            CaseEvent::RequestHearing { on: day },
            CaseEvent::WaiveHearing,
            CaseEvent::SubmitForReview,
            CaseEvent::Decide { on: day },
            CaseEvent::Serve { on: day },
            CaseEvent::StartExecution,
            CaseEvent::Close { on: day },
            CaseEvent::Terminate { reason: TerminationReason::Withdrawn },
        ]);
    }

    #[test]
    fn merge_takes_the_furthest() {
        let m = merge(CaseStatus::Notified, CaseStatus::Decided);
        assert_eq!(m, StatusMerge { status: CaseStatus::Decided, conflict: None });
        assert_eq!(merge(CaseStatus::Decided, CaseStatus::Notified), m);
        assert_eq!(merge(CaseStatus::Served, CaseStatus::Terminated).status, CaseStatus::Terminated);
        assert!(merge(CaseStatus::Served, CaseStatus::Terminated).conflict.is_none());
        assert_eq!(merge(HazardStatus::Open, HazardStatus::Open).conflict, None);
    }

    #[test]
    fn merge_flags_diverging_branches() {
        let m = merge(CaseStatus::Terminated, CaseStatus::Closed);
        assert_eq!(m.status, CaseStatus::Closed);
        assert_eq!(
            m.conflict,
            Some(StatusConflict { lower: CaseStatus::Terminated, higher: CaseStatus::Closed, both_terminal: true })
        );
        let m = merge(HazardStatus::Rectified, HazardStatus::ReviewFailed);
        assert_eq!(m.status, HazardStatus::ReviewFailed);
        assert!(!m.conflict.unwrap().both_terminal);
        let m = merge(HazardStatus::Rectified, HazardStatus::Escalated);
        assert_eq!(m.status, HazardStatus::Escalated);
        assert!(m.conflict.unwrap().both_terminal);
        let m = merge(InspectionStatus::Cancelled, InspectionStatus::Reviewed);
        assert_eq!(m.status, InspectionStatus::Reviewed);
        assert!(m.conflict.unwrap().both_terminal);
        let m = merge(InspectionStatus::Cancelled, InspectionStatus::Completed);
        assert_eq!(m.status, InspectionStatus::Completed);
        assert!(!m.conflict.unwrap().both_terminal);
    }

    #[test]
    fn rank_extends_reachability() {
        fn check<S: Workflow + std::fmt::Debug>() {
            for &a in S::ALL {
                for &b in S::ALL {
                    if a.can_reach(b) {
                        assert!(a.rank() <= b.rank(), "{a:?} -> {b:?}");
                    }
                    if a != b {
                        assert_ne!(a.rank(), b.rank());
                    }
                }
            }
        }
        check::<InspectionStatus>();
        check::<HazardStatus>();
        check::<CaseStatus>();
        assert!(CaseStatus::Registered.can_reach(CaseStatus::Closed));
        assert!(!CaseStatus::Closed.can_reach(CaseStatus::Registered));
        assert!(!HazardStatus::Rectified.can_reach(HazardStatus::ReviewFailed));
    }

    #[test]
    fn hazard_review_due_uses_the_earlier_trigger() {
        let calc = DeadlineCalculator::builtin();
        // Deadline 2025-06-30, no application: 2025-07-10.
        assert_eq!(hazard_review_due(&calc, d(2025, 6, 30), None).unwrap().due, d(2025, 7, 10));
        // Application 2025-06-20, before the deadline: 2025-06-30.
        assert_eq!(hazard_review_due(&calc, d(2025, 6, 30), Some(d(2025, 6, 20))).unwrap().due, d(2025, 6, 30));
        // Application after the deadline: the deadline still governs.
        assert_eq!(hazard_review_due(&calc, d(2025, 6, 30), Some(d(2025, 7, 5))).unwrap().due, d(2025, 7, 10));
        let started = HazardEvent::ExtendDeadline { new_deadline: d(2025, 8, 1), date: d(2025, 6, 25) }
            .started_deadlines(&calc, d(2025, 6, 30))
            .unwrap();
        assert_eq!(started[0].due, d(2025, 8, 11));
        let started =
            HazardEvent::RequestReview { date: d(2025, 6, 20) }.started_deadlines(&calc, d(2025, 6, 30)).unwrap();
        assert_eq!(started[0].due, d(2025, 6, 30));
        assert!(HazardEvent::Escalate.started_deadlines(&calc, d(2025, 6, 30)).unwrap().is_empty());
    }

    #[test]
    fn case_deadline_hooks() {
        let calc = DeadlineCalculator::builtin();
        let due = case_decision_due(&calc, d(2026, 1, 5), DecisionLevel::Standard).unwrap();
        assert_eq!(due.due, d(2026, 2, 4));
        assert_eq!(due.rule, RuleId::Decision);
        // Notice served Friday 2026-02-13 (before the Spring Festival).
        let started = CaseEvent::Notify { served_on: d(2026, 2, 13) }.started_deadlines(&calc).unwrap();
        assert_eq!(started[0].rule, RuleId::StatementDefense);
        assert_eq!(started[0].due, d(2026, 2, 25));
        assert_eq!(started[1].rule, RuleId::HearingRequest);
        assert_eq!(started[1].due, d(2026, 2, 27));
        // Decision Tuesday 2025-09-30: publication by 2025-10-16.
        let started = CaseEvent::Decide { on: d(2025, 9, 30) }.started_deadlines(&calc).unwrap();
        assert_eq!(started[0].rule, RuleId::ServeDecision);
        assert_eq!(started[1].rule, RuleId::Publicize);
        assert_eq!(started[1].due, d(2025, 10, 16));
        assert_eq!(case_publication_due(&calc, d(2025, 9, 30)).unwrap().due, d(2025, 10, 16));
        // Decision received 2026-02-03: payment +15 = 2026-02-18 (Spring Festival) -> 02-24.
        let started = CaseEvent::Serve { on: d(2026, 2, 3) }.started_deadlines(&calc).unwrap();
        assert_eq!(started[0].rule, RuleId::Payment);
        assert_eq!(started[0].due, d(2026, 2, 24));
        assert!(started[0].rolled_forward);
        assert_eq!(started[1].rule, RuleId::Reconsideration);
        assert_eq!(started[2].rule, RuleId::Litigation);
        assert_eq!(case_payment_due(&calc, d(2026, 2, 3)).unwrap(), started[0]);
        assert!(CaseEvent::WaiveHearing.started_deadlines(&calc).unwrap().is_empty());
    }

    #[test]
    fn labels() {
        assert_eq!(CaseStatus::Closed.label_zh(), "已结案");
        assert_eq!(HazardStatus::ReviewRequested.label_zh(), "待复查");
        assert_eq!(InspectionStatus::InProgress.label_zh(), "检查中");
        assert_eq!(Machine::Case.label_zh(), "案件");
        assert_eq!(TerminationReason::Transferred.label_zh(), "移送");
        assert_eq!(CaseEvent::Terminate { reason: TerminationReason::Withdrawn }.label_zh(), "撤销立案");
        assert_eq!(HazardStatus::Escalated.label(), "已移交立案");
        assert_eq!(CaseStatus::MACHINE, Machine::Case);
        let json = serde_json::to_string(&CaseEvent::Serve { on: d(2025, 1, 2) }).unwrap();
        assert_eq!(json, r#"{"type":"serve","on":"2025-01-02"}"#);
    }
}
