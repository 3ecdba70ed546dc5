//! Property tests for the working calendar, the deadline calculator and the workflow
//! state machines.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use zhifa_core::calendar::WorkCalendar;
use zhifa_core::deadline::{DayType, DeadlineCalculator, RuleId};
use zhifa_core::workflow::{
    CaseEvent, CaseStatus, HazardEvent, HazardStatus, InspectionEvent, InspectionStatus, TerminationReason, Workflow,
    merge, transition,
};

/// Dates from 2024-07-01 to 2027-06-30: covered years plus uncovered ones on both sides.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    let base = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    (0u64..(365 * 3)).prop_map(move |n| base.checked_add_days(Days::new(n)).unwrap())
}

fn cal() -> &'static WorkCalendar {
    WorkCalendar::builtin()
}

/// Rules counted forward from a start date with a single day count.
const PERIOD_RULES: &[RuleId] = &[
    RuleId::Review,
    RuleId::ResumeReview,
    RuleId::RegisterBackfill,
    RuleId::StatementDefense,
    RuleId::HearingRequest,
    RuleId::EvidenceDecision,
    RuleId::ServeDecision,
    RuleId::Publicize,
    RuleId::Payment,
    RuleId::OnSpotCash,
    RuleId::Reconsideration,
];

proptest! {
    #[test]
    fn add_working_days_lands_on_a_working_day_after_start(start in any_date(), n in 1u32..120) {
        let r = cal().add_working_days(start, n).unwrap();
        prop_assert!(cal().is_working_day(r.date));
        prop_assert!(r.date > start);
    }

    #[test]
    fn working_days_between_inverts_add(start in any_date(), n in 0u32..120) {
        let r = cal().add_working_days(start, n).unwrap();
        prop_assert_eq!(cal().working_days_between(start, r.date).days, n);
        // Provisional exactly when a day in (start, result] is in an uncovered year.
        let uncovered = start.iter_days().skip(1).take_while(|d| *d <= r.date)
            .any(|d| !cal().covers(chrono::Datelike::year(&d)));
        prop_assert_eq!(r.provisional, uncovered);
    }

    #[test]
    fn add_working_days_is_strictly_monotonic(start in any_date(), n in 0u32..120) {
        let a = cal().add_working_days(start, n).unwrap();
        let b = cal().add_working_days(start, n + 1).unwrap();
        prop_assert!(b.date > a.date);
    }

    #[test]
    fn sub_working_days_mirrors_add(date in any_date(), n in 1u32..60) {
        let back = cal().sub_working_days(date, n).unwrap();
        prop_assert!(cal().is_working_day(back.date));
        prop_assert!(back.date < date);
        // Exactly n working days in [back, date).
        let before = back.date.pred_opt().unwrap();
        let date_before = date.pred_opt().unwrap();
        prop_assert_eq!(cal().working_days_between(before, date_before).days, n);
    }

    #[test]
    fn next_working_day_is_first_working_day(date in any_date()) {
        let r = cal().next_working_day_on_or_after(date).unwrap();
        prop_assert!(cal().is_working_day(r.date));
        prop_assert!(r.date >= date);
        for d in date.iter_days().take_while(|d| *d < r.date) {
            prop_assert!(!cal().is_working_day(d));
        }
    }

    #[test]
    fn periods_never_end_before_start_plus_n(start in any_date(), idx in 0usize..PERIOD_RULES.len()) {
        let calc = DeadlineCalculator::builtin();
        let id = PERIOD_RULES[idx];
        let rule = calc.rules().get(id).unwrap();
        let n = rule.days[0];
        let dl = calc.period(id, start).unwrap();
        prop_assert_eq!(dl.rule, id);
        prop_assert!(dl.due >= start.checked_add_days(Days::new(u64::from(n))).unwrap());
        prop_assert!(dl.due >= dl.nominal_due);
        prop_assert_eq!(dl.confidence, rule.confidence);
        match dl.day_type.unwrap() {
            DayType::Working => {
                prop_assert_eq!(cal().working_days_between(start, dl.nominal_due).days, n);
                prop_assert!(cal().is_working_day(dl.due));
            }
            DayType::Calendar => {
                prop_assert_eq!((dl.nominal_due - start).num_days(), i64::from(n));
            }
        }
        if rule.roll_forward {
            // A rolled deadline is a working day and every day skipped was not.
            prop_assert!(cal().is_working_day(dl.due));
            for d in dl.nominal_due.iter_days().take_while(|d| *d < dl.due) {
                prop_assert!(!cal().is_working_day(d));
            }
            prop_assert_eq!(dl.rolled_forward, dl.due != dl.nominal_due);
        } else {
            prop_assert_eq!(dl.due, dl.nominal_due);
        }
    }

    #[test]
    fn litigation_rolls_forward_to_a_working_day(start in any_date()) {
        let dl = DeadlineCalculator::builtin().litigation_due(start).unwrap();
        prop_assert!(cal().is_working_day(dl.due));
        prop_assert!(dl.due >= dl.nominal_due);
        prop_assert!(dl.nominal_due > start);
    }

    #[test]
    fn hearing_notice_leaves_seven_working_days(hearing in any_date()) {
        let dl = DeadlineCalculator::builtin().hearing_notice_latest(hearing).unwrap();
        let day_before_hearing = hearing.pred_opt().unwrap();
        prop_assert_eq!(cal().working_days_between(dl.due, day_before_hearing).days, 7);
        // One day later would leave only six.
        let later = dl.due.succ_opt().unwrap();
        prop_assert!(cal().working_days_between(later, day_before_hearing).days < 7);
    }

    #[test]
    fn late_fee_is_monotonic_and_capped(fine in 0u64..10_000_000_000, days in 0u32..100) {
        let calc = DeadlineCalculator::builtin();
        let a = calc.late_fee(fine, days).unwrap();
        let b = calc.late_fee(fine, days + 1).unwrap();
        prop_assert!(a.surcharge_fen <= fine);
        prop_assert!(a.surcharge_fen <= b.surcharge_fen);
        if days >= 34 {
            prop_assert_eq!(a.surcharge_fen, fine);
        }
    }

    #[test]
    fn closure_trigger_is_order_independent(mut dates in proptest::collection::vec(any_date(), 0..8)) {
        let calc = DeadlineCalculator::builtin();
        let a = calc.closure_trigger(&dates).unwrap();
        dates.reverse();
        let b = calc.closure_trigger(&dates).unwrap();
        prop_assert_eq!(a, b);
        prop_assert_eq!(a.reached, a.max_within_180_days >= 3 || a.max_within_one_year >= 4);
        prop_assert!(a.max_within_180_days <= a.max_within_one_year);
    }
}

// ----- workflow -----

fn inspection_event() -> impl Strategy<Value = InspectionEvent> {
    prop_oneof![
        Just(InspectionEvent::Start),
        Just(InspectionEvent::Complete),
        Just(InspectionEvent::Submit),
        Just(InspectionEvent::Review),
        Just(InspectionEvent::Cancel),
    ]
}

fn hazard_event() -> impl Strategy<Value = HazardEvent> {
    (0u8..4, any_date(), any_date(), any::<bool>()).prop_map(|(k, a, b, passed)| match k {
        0 => HazardEvent::RequestReview { date: a },
        1 => HazardEvent::Review { passed, date: a },
        2 => HazardEvent::ExtendDeadline { new_deadline: a, date: b },
        _ => HazardEvent::Escalate,
    })
}

fn case_event() -> impl Strategy<Value = CaseEvent> {
    (0u8..11, any_date()).prop_map(|(k, on)| match k {
        0 => CaseEvent::Investigate,
        1 => CaseEvent::Notify { served_on: on },
        2 => CaseEvent::RequestHearing { on },
        3 => CaseEvent::WaiveHearing,
        4 => CaseEvent::SubmitForReview,
        5 => CaseEvent::Decide { on },
        6 => CaseEvent::Serve { on },
        7 => CaseEvent::StartExecution,
        8 => CaseEvent::Close { on },
        9 => CaseEvent::Terminate { reason: TerminationReason::Withdrawn },
        _ => CaseEvent::Terminate { reason: TerminationReason::Transferred },
    })
}

/// Applies events (skipping refused ones) and checks no accepted move goes backwards.
fn run_forward<S: Workflow + std::fmt::Debug>(start: S, events: &[S::Event]) -> Result<(), TestCaseError> {
    let mut s = start;
    for e in events {
        match transition(s, e) {
            Ok(next) => {
                prop_assert!(s.can_reach(next), "{:?} -> {:?}", s, next);
                prop_assert!(next.rank() >= s.rank());
                prop_assert!(!(s.is_terminal() && next != s));
                s = next;
            }
            Err(_) => {
                // A refused event leaves the status unchanged; terminal statuses refuse all.
            }
        }
        if s.is_terminal() {
            for e in events {
                prop_assert!(transition(s, e).is_err());
            }
        }
    }
    Ok(())
}

fn any_inspection() -> impl Strategy<Value = InspectionStatus> {
    proptest::sample::select(InspectionStatus::ALL)
}

fn any_hazard() -> impl Strategy<Value = HazardStatus> {
    proptest::sample::select(HazardStatus::ALL)
}

fn any_case() -> impl Strategy<Value = CaseStatus> {
    proptest::sample::select(CaseStatus::ALL)
}

fn check_merge_laws<S: Workflow + std::fmt::Debug>(a: S, b: S, c: S) -> Result<(), TestCaseError> {
    let ab = merge(a, b);
    prop_assert_eq!(ab, merge(b, a));
    prop_assert_eq!(merge(a, a).status, a);
    prop_assert!(merge(a, a).conflict.is_none());
    prop_assert_eq!(merge(ab.status, c).status, merge(a, merge(b, c).status).status);
    // The merged status is never behind either input.
    prop_assert!(ab.status == a || !ab.status.can_reach(a));
    prop_assert!(ab.status == b || !ab.status.can_reach(b));
    if a.can_reach(b) || b.can_reach(a) {
        prop_assert!(ab.conflict.is_none());
        prop_assert!(a.can_reach(ab.status) && b.can_reach(ab.status));
    } else {
        let conflict = ab.conflict.unwrap();
        prop_assert_eq!(conflict.both_terminal, a.is_terminal() && b.is_terminal());
    }
    Ok(())
}

proptest! {
    #[test]
    fn inspection_never_moves_backwards(events in proptest::collection::vec(inspection_event(), 0..12)) {
        run_forward(InspectionStatus::Planned, &events)?;
    }

    #[test]
    fn hazard_never_moves_backwards(events in proptest::collection::vec(hazard_event(), 0..12)) {
        run_forward(HazardStatus::Open, &events)?;
    }

    #[test]
    fn case_never_moves_backwards(events in proptest::collection::vec(case_event(), 0..24)) {
        run_forward(CaseStatus::Registered, &events)?;
    }

    #[test]
    fn merge_laws_inspection(a in any_inspection(), b in any_inspection(), c in any_inspection()) {
        check_merge_laws(a, b, c)?;
    }

    #[test]
    fn merge_laws_hazard(a in any_hazard(), b in any_hazard(), c in any_hazard()) {
        check_merge_laws(a, b, c)?;
    }

    #[test]
    fn merge_laws_case(a in any_case(), b in any_case(), c in any_case()) {
        check_merge_laws(a, b, c)?;
    }
}
