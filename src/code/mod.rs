//! The Ombudsman's Complaint Handling Code, which it applies in casework
//! from 1 April 2026 ("advice and guidance" under section 23(12A) of the
//! Local Government Act 1974), for the complaints it governs: the corporate
//! procedure, and any other the council marks (`code_procedures` in the
//! settings).
//!
//! - [`measures`]: the Code's measures of a year and its quarters;
//! - [`api`]: `GET /statistics/code`, and the Code breaches of the coming
//!   week that the overdue report flags;
//! - [`sections`], [`assessment`] and [`assessment_api`]: the
//!   self-assessment at `/code-assessments`, the year's figures beside its
//!   answers;
//! - [`years`]: `/code-years`, each year's report through governance;
//! - [`report`]: `/reports/code-annual`, the annual complaints performance
//!   and service improvement report.

pub mod api;
pub mod assessment;
pub mod assessment_api;
pub mod measures;
pub mod report;
pub mod sections;
pub mod years;
