//! Compliance with the Ombudsman's recommendations, derived from them.

use chrono::NaiveDate;

use crate::ombudsman::types::Compliance;

/// A recommendation's dates.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// When it was done.
    pub completed_on: Option<NaiveDate>,
}

impl Deadline {
    /// Done after its due date, or still not done after it.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        match (self.due_on, self.completed_on) {
            (Some(due), Some(done)) => done > due,
            (Some(due), None) => today > due,
            (None, _) => false,
        }
    }

    /// Not done, and past its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.completed_on.is_none() && self.due_on.is_some_and(|due| today > due)
    }
}

/// The outcome derived from the recommendations: once every one is
/// completed, `complied` (or `complied_late` if any was completed after its
/// due date), recorded on the latest completion. `None` while any is pending,
/// and for a case with no recommendations.
pub fn derive(recommendations: &[Deadline]) -> Option<(Compliance, NaiveDate)> {
    let recorded_on = recommendations
        .iter()
        .map(|r| r.completed_on)
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()?;
    let late = recommendations
        .iter()
        .any(|r| matches!((r.due_on, r.completed_on), (Some(due), Some(done)) if done > due));
    Some((
        if late {
            Compliance::CompliedLate
        } else {
            Compliance::Complied
        },
        recorded_on,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn rec(due: &str, done: Option<&str>) -> Deadline {
        Deadline {
            due_on: Some(d(due)),
            completed_on: done.map(d),
        }
    }

    #[test]
    fn all_done_on_time_is_complied_on_the_latest_date() {
        let recs = [
            rec("2025-03-01", Some("2025-02-10")),
            rec("2025-04-01", Some("2025-03-30")),
        ];
        assert_eq!(derive(&recs), Some((Compliance::Complied, d("2025-03-30"))));
    }

    #[test]
    fn any_done_late_is_complied_late() {
        let recs = [
            rec("2025-03-01", Some("2025-03-02")),
            rec("2025-04-01", Some("2025-03-30")),
        ];
        assert_eq!(
            derive(&recs),
            Some((Compliance::CompliedLate, d("2025-03-30")))
        );
    }

    #[test]
    fn pending_or_no_recommendations_derive_nothing() {
        assert_eq!(
            derive(&[
                rec("2025-03-01", Some("2025-02-10")),
                rec("2025-04-01", None)
            ]),
            None
        );
        assert_eq!(derive(&[]), None);
    }

    #[test]
    fn lateness_and_overdue() {
        let today = d("2025-05-01");
        assert!(rec("2025-04-01", None).is_late(today));
        assert!(rec("2025-04-01", None).is_overdue(today));
        assert!(rec("2025-04-01", Some("2025-04-02")).is_late(today));
        assert!(!rec("2025-04-01", Some("2025-04-02")).is_overdue(today));
        assert!(!rec("2025-06-01", None).is_late(today));
        assert!(!Deadline {
            due_on: None,
            completed_on: None
        }
        .is_late(today));
    }
}
