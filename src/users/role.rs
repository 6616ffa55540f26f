//! Roles: what a user may do.

use crate::text_enum;

text_enum! {
    /// What a user may do (the API description's "Roles" table).
    pub enum Role {
        /// Everything, in every directorate, including users and settings.
        Admin => "admin",
        /// Everything in its directorates except users and settings.
        Manager => "manager",
        /// Create, read and update records in its directorates.
        Caseworker => "caseworker",
        /// Statistics and reports; records without personal data.
        Analyst => "analyst",
        /// The CRM: create, read and update feedback in its directorates.
        Integration => "integration",
    }
}
