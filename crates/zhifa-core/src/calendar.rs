//! Chinese public-holiday / 调休 working calendar.
//!
//! The holiday arrangement is published every year by the General Office of the State
//! Council (国务院办公厅, e.g. 国办发明电〔2024〕12号 for 2025). It is kept as data in
//! `data/calendar/cn-holidays.json`, embedded at build time and parsed here, so a new
//! year is added by editing the JSON, not the code.
//!
//! A day is a *working day* when it is Monday–Friday and not inside a holiday range, or
//! when it is listed as an adjusted working day (调休上班, a Saturday or Sunday that is
//! worked). For a year the data does not cover, the calendar falls back to "Monday–Friday
//! are working days" and every result that depended on such a day carries
//! `provisional: true`, so the UI can say "the holiday arrangement for this year is not
//! yet published" instead of silently showing a possibly wrong date.
//!
//! Counting follows the rule 期间开始之日不计算在内: [`WorkCalendar::add_working_days`]
//! counts working days *after* the start day.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The embedded holiday data (`data/calendar/cn-holidays.json`).
const BUILTIN_JSON: &str = include_str!("../../../data/calendar/cn-holidays.json");

/// Errors raised while loading a holiday file or stepping outside the representable dates.
///
/// The messages are in Chinese because an administrator who edits the holiday file for a
/// new year is the one who reads them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The file is not valid JSON or does not have the expected shape.
    #[error("节假日数据格式错误：{0}")]
    Json(String),
    /// The same year appears twice.
    #[error("{year}年的节假日安排重复出现")]
    DuplicateYear {
        /// The repeated year.
        year: i32,
    },
    /// A holiday range ends before it starts.
    #[error("{year}年「{name}」的放假起止日期有误：{from} 晚于 {to}")]
    InvertedRange {
        /// Year of the notice.
        year: i32,
        /// Festival name.
        name: String,
        /// First day of the range.
        from: NaiveDate,
        /// Last day of the range.
        to: NaiveDate,
    },
    /// The stated number of days does not match the range.
    #[error("{year}年「{name}」写明放假{stated}天，但起止日期共{actual}天")]
    DayCountMismatch {
        /// Year of the notice.
        year: i32,
        /// Festival name.
        name: String,
        /// Days written in the file.
        stated: u32,
        /// Days between `from` and `to`, inclusive.
        actual: u32,
    },
    /// A date lies outside the notice's year (and is not next to the year boundary).
    #[error("日期 {date} 不属于{year}年的节假日安排")]
    WrongYear {
        /// Year of the notice.
        year: i32,
        /// The offending date.
        date: NaiveDate,
    },
    /// An adjusted working day is not a Saturday or a Sunday.
    #[error("{date} 不是周六或周日，不能列为调休上班日")]
    AdjustedNotWeekend {
        /// The offending date.
        date: NaiveDate,
    },
    /// A date is listed twice (two holidays, or holiday and adjusted working day).
    #[error("日期 {date} 在节假日安排中重复出现")]
    DuplicateDate {
        /// The repeated date.
        date: NaiveDate,
    },
    /// A computation stepped past the dates the software can represent.
    #[error("日期超出可计算范围")]
    OutOfRange,
}

/// The State Council notice a year's arrangement was taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayNotice {
    /// Title, e.g. "国务院办公厅关于2025年部分节假日安排的通知".
    pub title: String,
    /// Document number, e.g. "国办发明电〔2024〕12号".
    pub number: String,
}

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday–Friday, no holiday.
    Workday,
    /// Saturday or Sunday, no adjustment.
    RestDay,
    /// Inside a published holiday range (放假).
    Holiday,
    /// A Saturday or Sunday that is worked (调休上班).
    AdjustedWorkday,
}

impl DayKind {
    /// Whether people work on this kind of day.
    pub fn is_working(self) -> bool {
        matches!(self, Self::Workday | Self::AdjustedWorkday)
    }

    /// Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Workday => "工作日",
            Self::RestDay => "休息日",
            Self::Holiday => "法定节假日",
            Self::AdjustedWorkday => "调休上班日",
        }
    }
}

/// Classification of one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CalDay {
    /// The date classified.
    pub date: NaiveDate,
    /// Its kind.
    pub kind: DayKind,
    /// True when the date's year is not covered by the holiday data and the kind is the
    /// Monday–Friday fallback.
    pub provisional: bool,
}

/// A date computed with the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CalDate {
    /// The resulting date.
    pub date: NaiveDate,
    /// True when at least one day consulted lies in a year the holiday data does not
    /// cover, so the result assumed "Monday–Friday are working days".
    pub provisional: bool,
}

/// A number of days counted with the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CalCount {
    /// The count.
    pub days: u32,
    /// True when at least one day counted lies in a year not covered by the data.
    pub provisional: bool,
}

/// A working calendar built from the State Council holiday notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    notices: BTreeMap<i32, HolidayNotice>,
    holidays: BTreeMap<NaiveDate, String>,
    adjusted: BTreeMap<NaiveDate, String>,
}

#[derive(Deserialize)]
struct RawFile {
    years: Vec<RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i32,
    source: HolidayNotice,
    holidays: Vec<RawHoliday>,
    adjusted_working_days: Vec<RawAdjusted>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    from: NaiveDate,
    to: NaiveDate,
    days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdjusted {
    date: NaiveDate,
    #[serde(rename = "for")]
    festival: String,
}

/// A notice for year `year` may list dates in that year, or in the last week of the
/// previous year / first week of the next one (e.g. 元旦 from 12月30日 to 1月1日).
fn date_belongs_to_notice(year: i32, date: NaiveDate) -> bool {
    let y = date.year();
    y == year
        || (y == year - 1 && date.month() == 12 && date.day() >= 25)
        || (y == year + 1 && date.month() == 1 && date.day() <= 7)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.succ_opt().ok_or(CalendarError::OutOfRange)
}

fn prev_day(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.pred_opt().ok_or(CalendarError::OutOfRange)
}

impl WorkCalendar {
    /// The calendar embedded from `data/calendar/cn-holidays.json` (2025 and 2026).
    ///
    /// Parsed once and cached. The embedded file is checked by the unit tests, so a
    /// failure here means the build shipped a broken data file.
    pub fn builtin() -> &'static WorkCalendar {
        static CAL: OnceLock<WorkCalendar> = OnceLock::new();
        CAL.get_or_init(|| {
            WorkCalendar::from_json(BUILTIN_JSON).expect("embedded data/calendar/cn-holidays.json must be valid")
        })
    }

    /// Parses and validates a holiday file with the layout of `cn-holidays.json`.
    ///
    /// Validation: holiday ranges are ordered and their `days` equals the range length;
    /// adjusted working days are Saturdays or Sundays; no date is listed twice; dates
    /// belong to the notice's year (or the week next to the year boundary).
    pub fn from_json(json: &str) -> Result<Self, CalendarError> {
        let raw: RawFile = serde_json::from_str(json).map_err(|e| CalendarError::Json(e.to_string()))?;
        let mut notices = BTreeMap::new();
        let mut holidays = BTreeMap::new();
        let mut adjusted = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for y in raw.years {
            if notices.contains_key(&y.year) {
                return Err(CalendarError::DuplicateYear { year: y.year });
            }
            for h in y.holidays {
                if h.from > h.to {
                    return Err(CalendarError::InvertedRange { year: y.year, name: h.name, from: h.from, to: h.to });
                }
                let actual = u32::try_from((h.to - h.from).num_days() + 1).map_err(|_| CalendarError::OutOfRange)?;
                if actual != h.days {
                    return Err(CalendarError::DayCountMismatch { year: y.year, name: h.name, stated: h.days, actual });
                }
                for date in h.from.iter_days().take(actual as usize) {
                    if !date_belongs_to_notice(y.year, date) {
                        return Err(CalendarError::WrongYear { year: y.year, date });
                    }
                    if !seen.insert(date) {
                        return Err(CalendarError::DuplicateDate { date });
                    }
                    holidays.insert(date, h.name.clone());
                }
            }
            for a in y.adjusted_working_days {
                if !date_belongs_to_notice(y.year, a.date) {
                    return Err(CalendarError::WrongYear { year: y.year, date: a.date });
                }
                if !is_weekend(a.date) {
                    return Err(CalendarError::AdjustedNotWeekend { date: a.date });
                }
                if !seen.insert(a.date) {
                    return Err(CalendarError::DuplicateDate { date: a.date });
                }
                adjusted.insert(a.date, a.festival);
            }
            notices.insert(y.year, y.source);
        }
        Ok(Self { notices, holidays, adjusted })
    }

    /// Whether the holiday arrangement of `year` is in the data.
    pub fn covers(&self, year: i32) -> bool {
        self.notices.contains_key(&year)
    }

    /// The years covered by the data, ascending.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.notices.keys().copied()
    }

    /// The State Council notice for `year`, if covered.
    pub fn notice(&self, year: i32) -> Option<&HolidayNotice> {
        self.notices.get(&year)
    }

    /// The festival name when `date` is inside a holiday range (e.g. "春节").
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }

    /// Classifies one date.
    pub fn day(&self, date: NaiveDate) -> CalDay {
        let kind = if self.holidays.contains_key(&date) {
            DayKind::Holiday
        } else if self.adjusted.contains_key(&date) {
            DayKind::AdjustedWorkday
        } else if is_weekend(date) {
            DayKind::RestDay
        } else {
            DayKind::Workday
        };
        CalDay { date, kind, provisional: !self.covers(date.year()) }
    }

    /// Whether `date` is a working day (see the module doc). For an uncovered year this is
    /// the Monday–Friday fallback; use [`WorkCalendar::day`] to learn whether it is.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day(date).kind.is_working()
    }

    /// The date reached by counting `n` working days after `start` (the start day itself
    /// is never counted). For `n == 0` the result is `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<CalDate, CalendarError> {
        let mut date = start;
        let mut provisional = false;
        let mut left = n;
        while left > 0 {
            date = next_day(date)?;
            let d = self.day(date);
            provisional |= d.provisional;
            if d.kind.is_working() {
                left -= 1;
            }
        }
        Ok(CalDate { date, provisional })
    }

    /// The `n`-th working day strictly before `date`, counting backwards (`n == 0` gives
    /// `date`). Used for periods that run backwards from an event, such as a hearing.
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> Result<CalDate, CalendarError> {
        let mut cur = date;
        let mut provisional = false;
        let mut left = n;
        while left > 0 {
            cur = prev_day(cur)?;
            let d = self.day(cur);
            provisional |= d.provisional;
            if d.kind.is_working() {
                left -= 1;
            }
        }
        Ok(CalDate { date: cur, provisional })
    }

    /// `date` itself when it is a working day, otherwise the first working day after it.
    pub fn next_working_day_on_or_after(&self, date: NaiveDate) -> Result<CalDate, CalendarError> {
        let mut cur = date;
        let mut provisional = false;
        loop {
            let d = self.day(cur);
            provisional |= d.provisional;
            if d.kind.is_working() {
                return Ok(CalDate { date: cur, provisional });
            }
            cur = next_day(cur)?;
        }
    }

    /// Number of working days `d` with `from < d <= to` (the start day is not counted, the
    /// end day is). Zero when `to <= from`. Inverse of [`WorkCalendar::add_working_days`]:
    /// `working_days_between(s, add_working_days(s, n)) == n`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> CalCount {
        let mut days = 0;
        let mut provisional = false;
        // `iter_days` stops at the last representable date, so this loop is bounded.
        for date in from.iter_days().skip(1).take_while(|d| *d <= to) {
            let d = self.day(date);
            provisional |= d.provisional;
            if d.kind.is_working() {
                days += 1;
            }
        }
        CalCount { days, provisional }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cal() -> &'static WorkCalendar {
        WorkCalendar::builtin()
    }

    #[test]
    fn builtin_covers_2025_and_2026_only() {
        assert!(cal().covers(2025));
        assert!(cal().covers(2026));
        assert!(!cal().covers(2024));
        assert!(!cal().covers(2027));
        assert_eq!(cal().covered_years().collect::<Vec<_>>(), vec![2025, 2026]);
        assert_eq!(cal().notice(2025).unwrap().number, "国办发明电〔2024〕12号");
        assert_eq!(cal().notice(2026).unwrap().number, "国办发明电〔2025〕7号");
    }

    #[test]
    fn holiday_totals_match_the_notices() {
        let count = |y: i32| cal().holidays.keys().filter(|d| d.year() == y).count();
        // 2025: 1 + 8 + 3 + 5 + 3 + 8; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7.
        assert_eq!(count(2025), 28);
        assert_eq!(count(2026), 33);
        assert_eq!(cal().adjusted.keys().filter(|d| d.year() == 2025).count(), 5);
        assert_eq!(cal().adjusted.keys().filter(|d| d.year() == 2026).count(), 6);
    }

    #[test]
    fn adjusted_working_days() {
        // 2025-01-26 is a Sunday worked for the Spring Festival.
        assert_eq!(d(2025, 1, 26).weekday(), Weekday::Sun);
        assert_eq!(cal().day(d(2025, 1, 26)).kind, DayKind::AdjustedWorkday);
        assert!(cal().is_working_day(d(2025, 1, 26)));
        // 2026-02-14 is a Saturday worked for the Spring Festival.
        assert_eq!(d(2026, 2, 14).weekday(), Weekday::Sat);
        assert!(cal().is_working_day(d(2026, 2, 14)));
        assert!(cal().is_working_day(d(2026, 2, 28)));
        assert!(cal().is_working_day(d(2026, 1, 4)));
        assert!(cal().is_working_day(d(2025, 10, 11)));
        // An ordinary Saturday is not.
        assert_eq!(cal().day(d(2025, 3, 15)).kind, DayKind::RestDay);
        assert!(!cal().is_working_day(d(2025, 3, 15)));
    }

    #[test]
    fn holidays_on_weekdays_are_not_working_days() {
        assert_eq!(cal().day(d(2025, 1, 1)).kind, DayKind::Holiday);
        assert_eq!(cal().holiday_name(d(2025, 1, 29)), Some("春节"));
        assert!(!cal().is_working_day(d(2025, 2, 4)));
        assert!(cal().is_working_day(d(2025, 2, 5)));
        assert!(!cal().is_working_day(d(2025, 10, 8)));
        assert!(cal().is_working_day(d(2025, 10, 9)));
        assert!(!cal().is_working_day(d(2026, 2, 23)));
        assert!(cal().is_working_day(d(2026, 2, 24)));
        assert_eq!(cal().holiday_name(d(2026, 9, 25)), Some("中秋节"));
        assert!(!cal().is_working_day(d(2026, 10, 7)));
        assert!(cal().is_working_day(d(2026, 10, 8)));
        assert!(!cal().day(d(2026, 10, 7)).provisional);
    }

    #[test]
    fn add_working_days_skips_national_day_2025() {
        // Tuesday 2025-09-30 + 1 working day: 10-01..10-08 off, 10-09 (Thursday).
        let r = cal().add_working_days(d(2025, 9, 30), 1).unwrap();
        assert_eq!(r, CalDate { date: d(2025, 10, 9), provisional: false });
        // 10-09 Thu, 10-10 Fri, 10-11 Sat (worked), 10-13 Mon ... 7th is 10-16.
        let r = cal().add_working_days(d(2025, 9, 30), 7).unwrap();
        assert_eq!(r.date, d(2025, 10, 16));
        assert_eq!(cal().working_days_between(d(2025, 9, 30), r.date).days, 7);
    }

    #[test]
    fn add_working_days_counts_a_worked_saturday() {
        // Friday 2026-02-13 + 1: Saturday 2026-02-14 is worked.
        let r = cal().add_working_days(d(2026, 2, 13), 1).unwrap();
        assert_eq!(r.date, d(2026, 2, 14));
        // + 2: the festival runs 02-15..02-23, so 02-24.
        assert_eq!(cal().add_working_days(d(2026, 2, 13), 2).unwrap().date, d(2026, 2, 24));
    }

    #[test]
    fn zero_days_is_the_start_day() {
        let r = cal().add_working_days(d(2025, 1, 1), 0).unwrap();
        assert_eq!(r.date, d(2025, 1, 1));
        assert_eq!(cal().sub_working_days(d(2025, 1, 1), 0).unwrap().date, d(2025, 1, 1));
    }

    #[test]
    fn sub_working_days_runs_backwards_over_holidays() {
        // Working days before Monday 2025-10-13: 10-11 (Sat, worked), 10-10, 10-09, then the
        // break, then 09-30, 09-29, 09-28 (Sun, worked), 09-26.
        let r = cal().sub_working_days(d(2025, 10, 13), 7).unwrap();
        assert_eq!(r.date, d(2025, 9, 26));
        assert_eq!(cal().working_days_between(d(2025, 9, 25), d(2025, 10, 12)).days, 7);
    }

    #[test]
    fn next_working_day_on_or_after() {
        let r = cal().next_working_day_on_or_after(d(2025, 5, 1)).unwrap();
        assert_eq!(r.date, d(2025, 5, 6));
        let r = cal().next_working_day_on_or_after(d(2025, 5, 6)).unwrap();
        assert_eq!(r.date, d(2025, 5, 6));
        // Sunday 2025-04-27 is worked.
        let r = cal().next_working_day_on_or_after(d(2025, 4, 27)).unwrap();
        assert_eq!(r.date, d(2025, 4, 27));
    }

    #[test]
    fn uncovered_years_fall_back_and_say_so() {
        // 2027-01-01 is a Friday: the fallback calls it a working day, provisionally.
        let day = cal().day(d(2027, 1, 1));
        assert_eq!(day.kind, DayKind::Workday);
        assert!(day.provisional);
        let r = cal().add_working_days(d(2026, 12, 30), 3).unwrap();
        assert_eq!(r.date, d(2027, 1, 4));
        assert!(r.provisional);
        let r = cal().add_working_days(d(2026, 12, 1), 3).unwrap();
        assert!(!r.provisional);
        assert!(cal().working_days_between(d(2024, 12, 30), d(2025, 1, 3)).provisional);
        assert!(!cal().working_days_between(d(2025, 1, 1), d(2025, 1, 3)).provisional);
    }

    #[test]
    fn working_days_between_empty_and_inverse() {
        assert_eq!(cal().working_days_between(d(2025, 3, 3), d(2025, 3, 3)).days, 0);
        assert_eq!(cal().working_days_between(d(2025, 3, 5), d(2025, 3, 3)).days, 0);
        // 春节 2025: from Friday 01-24 to Wednesday 02-05.
        // Working: 01-26 (Sun), 01-27 (Mon), 02-05 (Wed) = 3.
        assert_eq!(cal().working_days_between(d(2025, 1, 24), d(2025, 2, 5)).days, 3);
    }

    const MINI: &str = r#"{"years":[{"year":2030,"source":{"title":"t","number":"n"},
        "holidays":[{"name":"元旦","from":"2030-01-01","to":"2030-01-01","days":1}],
        "adjusted_working_days":[]}]}"#;

    #[test]
    fn from_json_accepts_a_minimal_file() {
        let c = WorkCalendar::from_json(MINI).unwrap();
        assert!(c.covers(2030));
        assert!(!c.is_working_day(d(2030, 1, 1)));
    }

    #[test]
    fn from_json_rejects_bad_data() {
        let bad_count = MINI.replace("\"days\":1", "\"days\":2");
        assert!(matches!(
            WorkCalendar::from_json(&bad_count),
            Err(CalendarError::DayCountMismatch { stated: 2, actual: 1, .. })
        ));
        let weekday_adjusted = MINI.replace(
            "\"adjusted_working_days\":[]",
            "\"adjusted_working_days\":[{\"date\":\"2030-01-02\",\"for\":\"元旦\"}]",
        );
        assert_eq!(
            WorkCalendar::from_json(&weekday_adjusted),
            Err(CalendarError::AdjustedNotWeekend { date: d(2030, 1, 2) })
        );
        let wrong_year = MINI.replace("2030-01-01\",\"to\":\"2030-01-01", "2031-05-01\",\"to\":\"2031-05-01");
        assert!(matches!(WorkCalendar::from_json(&wrong_year), Err(CalendarError::WrongYear { year: 2030, .. })));
        let inverted = MINI.replace("\"to\":\"2030-01-01\"", "\"to\":\"2029-12-31\"");
        assert!(matches!(WorkCalendar::from_json(&inverted), Err(CalendarError::InvertedRange { .. })));
        let overlap = MINI.replace(
            "\"adjusted_working_days\":[]",
            "\"adjusted_working_days\":[{\"date\":\"2030-01-05\",\"for\":\"元旦\"},{\"date\":\"2030-01-05\",\"for\":\"元旦\"}]",
        );
        assert_eq!(WorkCalendar::from_json(&overlap), Err(CalendarError::DuplicateDate { date: d(2030, 1, 5) }));
        let typo = MINI.replace("adjusted_working_days", "adjusted_workdays");
        let err = WorkCalendar::from_json(&typo).unwrap_err();
        assert!(matches!(err, CalendarError::Json(_)));
        assert!(err.to_string().starts_with("节假日数据格式错误"));
        let twice = format!(
            r#"{{"years":[{0},{0}]}}"#,
            r#"{"year":2030,"source":{"title":"t","number":"n"},"holidays":[],"adjusted_working_days":[]}"#
        );
        assert_eq!(WorkCalendar::from_json(&twice), Err(CalendarError::DuplicateYear { year: 2030 }));
    }

    #[test]
    fn year_boundary_dates_are_allowed() {
        let json = r#"{"years":[{"year":2031,"source":{"title":"t","number":"n"},
            "holidays":[{"name":"元旦","from":"2030-12-30","to":"2031-01-01","days":3}],
            "adjusted_working_days":[]}]}"#;
        let c = WorkCalendar::from_json(json).unwrap();
        assert!(!c.is_working_day(d(2030, 12, 30)));
        // 2030 itself is still not covered.
        assert!(c.day(d(2030, 12, 30)).provisional);
    }

    #[test]
    fn labels_are_chinese() {
        assert_eq!(DayKind::AdjustedWorkday.label_zh(), "调休上班日");
        assert_eq!(
            CalendarError::AdjustedNotWeekend { date: d(2030, 1, 2) }.to_string(),
            "2030-01-02 不是周六或周日，不能列为调休上班日"
        );
    }
}
