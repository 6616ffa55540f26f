//! The Ombudsman's vocabulary: who, what was decided, and what was recommended.

use crate::text_enum;

text_enum! {
    /// Which Ombudsman.
    pub enum Ombudsman {
        /// The Local Government and Social Care Ombudsman.
        Lgsco => "lgsco",
        /// The Parliamentary and Health Service Ombudsman.
        Phso => "phso",
        /// Both, jointly (health and social care together).
        Joint => "joint",
    }
}

text_enum! {
    /// The Ombudsman's decision.
    pub enum Decision {
        /// Advice given (not for the Ombudsman).
        AdviceGiven => "advice_given",
        /// Premature: referred back to the council (not for the Ombudsman).
        ReferredBackForLocalResolution => "referred_back_for_local_resolution",
        /// Incomplete or invalid (not for the Ombudsman).
        IncompleteOrInvalid => "incomplete_or_invalid",
        /// Assessed and closed after initial enquiries.
        ClosedAfterInitialEnquiries => "closed_after_initial_enquiries",
        /// Investigated: fault found (or the council had remedied it).
        Upheld => "upheld",
        /// Investigated: no fault found.
        NotUpheld => "not_upheld",
    }
}

text_enum! {
    /// How the Ombudsman's statistics group decisions.
    pub enum DecisionBucket {
        /// Advice given, referred back, incomplete or invalid.
        NotForUs => "not_for_us",
        /// Closed after initial enquiries.
        AssessedAndClosed => "assessed_and_closed",
        /// Upheld or not upheld.
        Investigated => "investigated",
    }
}

impl Decision {
    /// The statistics group of the decision.
    pub fn bucket(self) -> DecisionBucket {
        match self {
            Decision::AdviceGiven
            | Decision::ReferredBackForLocalResolution
            | Decision::IncompleteOrInvalid => DecisionBucket::NotForUs,
            Decision::ClosedAfterInitialEnquiries => DecisionBucket::AssessedAndClosed,
            Decision::Upheld | Decision::NotUpheld => DecisionBucket::Investigated,
        }
    }
}

text_enum! {
    /// What the Ombudsman recommended.
    pub enum RecommendationKind {
        /// An apology.
        Apology => "apology",
        /// A payment, in pence.
        FinancialRedress => "financial_redress",
        /// A change to the service.
        ServiceImprovement => "service_improvement",
        /// Training for staff.
        StaffTraining => "staff_training",
        /// A new assessment.
        Reassessment => "reassessment",
        /// A review of a procedure.
        ProcedureReview => "procedure_review",
        /// Anything else.
        Other => "other",
    }
}

text_enum! {
    /// Whether the council did what the Ombudsman recommended.
    pub enum Compliance {
        /// Every recommendation was completed by its due date.
        Complied => "complied",
        /// Every recommendation was completed, some late.
        CompliedLate => "complied_late",
        /// The council did not comply.
        NotComplied => "not_complied",
    }
}
