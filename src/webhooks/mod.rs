//! Webhooks: the CRM hears when a record changes.
//!
//! - [`model`]: the subscriptions admins keep at `/api/v1/webhooks`.
//! - [`outbox`]: events written in the same transaction as the change they
//!   tell of (called from [`crate::audit::record`], which every change
//!   calls), each with a delivery for every subscription it matches.
//! - [`delivery`]: the worker every instance runs, which claims due
//!   deliveries, POSTs them signed ([`signature`]), and retries with
//!   backoff for 24 hours.
//! - [`address`]: refusing URLs that reach loopback or private addresses.
//! - [`api`]: the HTTP endpoints.

pub mod address;
pub mod api;
pub mod delivery;
pub mod model;
pub mod outbox;
pub mod signature;

use crate::text_enum;

text_enum! {
    /// What happened: an event's `type`, and what a subscription asks for.
    pub enum EventType {
        /// A feedback record was created (through the API or an import).
        FeedbackCreated => "feedback.created",
        /// A feedback record's fields changed (including assignment,
        /// reopening and redaction).
        FeedbackUpdated => "feedback.updated",
        /// A feedback record's status (`open`, `responded`, `closed`)
        /// changed; sent besides `feedback.updated`.
        FeedbackStatusChanged => "feedback.status_changed",
        /// A complaint was escalated: its next stage, a new record (with
        /// `parent_id`), was made. Sent besides that record's
        /// `feedback.created`.
        FeedbackEscalated => "feedback.escalated",
        /// A record passed its due date without a response: once, on the
        /// first day it is overdue (`GET /feedback?overdue=true` lists them).
        FeedbackOverdue => "feedback.overdue",
        /// A feedback record was deleted or erased.
        FeedbackDeleted => "feedback.deleted",
        /// An Ombudsman case was recorded.
        OmbudsmanCaseCreated => "ombudsman_case.created",
        /// An Ombudsman case's fields changed.
        OmbudsmanCaseUpdated => "ombudsman_case.updated",
        /// The Ombudsman's decision on a case was recorded or changed; sent
        /// besides `ombudsman_case.updated`.
        OmbudsmanCaseDecided => "ombudsman_case.decided",
        /// An Ombudsman case was deleted or erased.
        OmbudsmanCaseDeleted => "ombudsman_case.deleted",
        /// A service improvement was agreed.
        ImprovementCreated => "improvement.created",
        /// A service improvement's fields changed.
        ImprovementUpdated => "improvement.updated",
        /// A service improvement's status changed; sent besides
        /// `improvement.updated`.
        ImprovementStatusChanged => "improvement.status_changed",
        /// A service improvement was deleted or erased.
        ImprovementDeleted => "improvement.deleted",
    }
}

text_enum! {
    /// Where a delivery is.
    pub enum DeliveryStatus {
        /// Waiting for its first attempt or its next retry.
        Pending => "pending",
        /// The receiver answered 2xx.
        Delivered => "delivered",
        /// Every attempt for 24 hours failed; `redeliver` tries again.
        Failed => "failed",
    }
}

/// The kinds of entity whose changes are events: their audit-log name, and
/// the types of their created, updated and deleted events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// `feedback`.
    Feedback,
    /// `ombudsman_case`.
    OmbudsmanCase,
    /// `service_improvement` (its events are `improvement.*`).
    Improvement,
}

impl Entity {
    /// The entity named `name` in the audit log, if its changes are events.
    pub fn of(name: &str) -> Option<Entity> {
        match name {
            crate::feedback::model::ENTITY => Some(Entity::Feedback),
            crate::ombudsman::model::ENTITY => Some(Entity::OmbudsmanCase),
            crate::improvements::model::ENTITY => Some(Entity::Improvement),
            _ => None,
        }
    }

    /// Its name in events and in the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Feedback => crate::feedback::model::ENTITY,
            Entity::OmbudsmanCase => crate::ombudsman::model::ENTITY,
            Entity::Improvement => crate::improvements::model::ENTITY,
        }
    }

    /// The event of its creation.
    pub fn created(self) -> EventType {
        match self {
            Entity::Feedback => EventType::FeedbackCreated,
            Entity::OmbudsmanCase => EventType::OmbudsmanCaseCreated,
            Entity::Improvement => EventType::ImprovementCreated,
        }
    }

    /// The event of a change to its fields.
    pub fn updated(self) -> EventType {
        match self {
            Entity::Feedback => EventType::FeedbackUpdated,
            Entity::OmbudsmanCase => EventType::OmbudsmanCaseUpdated,
            Entity::Improvement => EventType::ImprovementUpdated,
        }
    }

    /// The event of its deletion.
    pub fn deleted(self) -> EventType {
        match self {
            Entity::Feedback => EventType::FeedbackDeleted,
            Entity::OmbudsmanCase => EventType::OmbudsmanCaseDeleted,
            Entity::Improvement => EventType::ImprovementDeleted,
        }
    }

    /// The fields left out of an event for a subscription without personal
    /// data: the entity's personal-data and free-text fields, the ones
    /// redaction blanks.
    pub fn personal_fields(self) -> Vec<&'static str> {
        let policy = match self {
            Entity::Feedback => crate::feedback::model::REDACTION,
            Entity::OmbudsmanCase => crate::ombudsman::model::REDACTION,
            Entity::Improvement => crate::improvements::model::REDACTION,
        };
        policy.names().collect()
    }
}
