//! The vocabulary of feedback records: kinds, procedures, outcomes and the
//! other enumerations of the contract.

use crate::text_enum;

text_enum! {
    /// What kind of feedback a record is.
    pub enum Kind {
        /// Praise for a member of staff or a service.
        Compliment => "compliment",
        /// A remark that is neither praise nor a complaint.
        Comment => "comment",
        /// A request for information or a service.
        Enquiry => "enquiry",
        /// A first request for a service (the Complaint Handling Code,
        /// section 1): recorded and monitored, not a complaint. A repeat of
        /// it, or dissatisfaction with how it was handled, is a complaint:
        /// escalating it starts one at stage 1, linked by `parent_id`.
        ServiceRequest => "service_request",
        /// A councillor asking on a resident's behalf.
        CouncillorEnquiry => "councillor_enquiry",
        /// A Member of Parliament asking on a constituent's behalf.
        MpEnquiry => "mp_enquiry",
        /// A comment or complaint about a policy, resources or service availability itself.
        Representation => "representation",
        /// A complaint resolved quickly at the front line.
        InformalComplaint => "informal_complaint",
        /// A formal complaint under a procedure.
        Complaint => "complaint",
        /// Adult social care: the complainant is dissatisfied with the complaint's response.
        Dissatisfaction => "dissatisfaction",
        /// Adult social care: a senior manager reviews the complaint.
        SeniorManagerReview => "senior_manager_review",
    }
}

impl Kind {
    /// Kinds answered like complaints, which need an outcome once responded to.
    pub fn is_complaint_like(self) -> bool {
        matches!(
            self,
            Kind::InformalComplaint
                | Kind::Complaint
                | Kind::Dissatisfaction
                | Kind::SeniorManagerReview
        )
    }

    /// Kinds that may be escalated to a next step (whether a given record
    /// may depends on its procedure and stage).
    pub fn can_escalate(self) -> bool {
        matches!(
            self,
            Kind::Enquiry
                | Kind::ServiceRequest
                | Kind::CouncillorEnquiry
                | Kind::MpEnquiry
                | Kind::InformalComplaint
                | Kind::Complaint
                | Kind::Dissatisfaction
        )
    }

    /// Kinds that belong to a complaints procedure.
    pub fn has_procedure(self) -> bool {
        matches!(
            self,
            Kind::Complaint | Kind::Dissatisfaction | Kind::SeniorManagerReview
        )
    }
}

text_enum! {
    /// The complaints procedure a record follows.
    pub enum Procedure {
        /// Adult social care (Local Authority Social Services and NHS Complaints (England) Regulations 2009).
        StatutoryAdults => "statutory_adults",
        /// Children's social care (Children Act 1989 Representations Procedure (England) Regulations 2006).
        StatutoryChildren => "statutory_children",
        /// Every other council service.
        Corporate => "corporate",
    }
}

impl Procedure {
    /// The highest stage a complaint of the procedure can have; the
    /// timescales in force on its day of receipt may name fewer (the
    /// corporate procedure has two stages from 1 April 2026).
    pub fn last_stage(self) -> i32 {
        match self {
            Procedure::StatutoryAdults => 1,
            Procedure::StatutoryChildren | Procedure::Corporate => 3,
        }
    }
}

text_enum! {
    /// How the feedback arrived.
    pub enum Channel {
        /// By email.
        Email => "email",
        /// By telephone.
        Phone => "phone",
        /// By letter.
        Letter => "letter",
        /// The council's web form.
        Web => "web",
        /// In person.
        InPerson => "in_person",
        /// Social media.
        SocialMedia => "social_media",
        /// Anything else.
        Other => "other",
    }
}

text_enum! {
    /// Who the complainant is, relative to the person the feedback is about.
    pub enum Relationship {
        /// The person themselves.
        OwnBehalf => "self",
        /// A family member or other representative.
        Representative => "representative",
        /// An advocate.
        Advocate => "advocate",
        /// A Member of Parliament.
        Mp => "mp",
        /// A councillor.
        Councillor => "councillor",
        /// A professional.
        Professional => "professional",
        /// Anyone else.
        Other => "other",
    }
}

text_enum! {
    /// How the council decided the feedback.
    pub enum Outcome {
        /// The complaint was upheld in full.
        Upheld => "upheld",
        /// Partly upheld.
        PartiallyUpheld => "partially_upheld",
        /// Not upheld.
        NotUpheld => "not_upheld",
        /// Closed with no further action.
        ClosedNoFurtherAction => "closed_no_further_action",
        /// Withdrawn by the complainant.
        Withdrawn => "withdrawn",
        /// Pursued through a different route (e.g. safeguarding, legal).
        PursuedOtherRoute => "pursued_other_route",
        /// Redirected to another service or organisation.
        Redirected => "redirected",
        /// Not pursued after a meeting.
        NotPursuedAfterMeeting => "not_pursued_after_meeting",
        /// Resolved (enquiries and informal complaints).
        Resolved => "resolved",
        /// Answered by escalation to the next step: a dissatisfaction that
        /// goes to a senior manager review, an enquiry that becomes a formal
        /// complaint.
        Escalated => "escalated",
    }
}

text_enum! {
    /// What the council did to put things right.
    pub enum RemedyKind {
        /// An apology.
        Apology => "apology",
        /// Financial redress for a loss.
        FinancialRedress => "financial_redress",
        /// A symbolic payment for distress.
        SymbolicPayment => "symbolic_payment",
        /// A payment for time and trouble.
        TimeAndTrouble => "time_and_trouble",
        /// Charges waived.
        WaivedCharges => "waived_charges",
        /// Charges backdated.
        BackdatedCharges => "backdated_charges",
        /// A new assessment.
        Reassessment => "reassessment",
        /// A review of the service.
        ServiceReview => "service_review",
        /// Anything else.
        Other => "other",
    }
}

text_enum! {
    /// Where a record is in its life.
    pub enum Status {
        /// Not yet responded to.
        Open => "open",
        /// Responded to, not closed.
        Responded => "responded",
        /// Responded to and closed (`closed_on` set).
        Closed => "closed",
    }
}

text_enum! {
    /// Why a complaint was not taken up: the exclusions the Complaint
    /// Handling Code allows (section 2), or `other`.
    pub enum RefusalReason {
        /// The matter arose more than 12 months before the complaint was
        /// made (or the person became aware of it), and discretion was not
        /// exercised.
        OutOfTime => "out_of_time",
        /// Legal proceedings about the matter have started.
        LegalProceedings => "legal_proceedings",
        /// The matter was already considered under the complaints procedure.
        AlreadyConsidered => "already_considered",
        /// It has its own route: a statutory appeal, a tribunal, another
        /// statutory complaints procedure.
        OtherStatutoryRoute => "other_statutory_route",
        /// A first request for a service, not yet a complaint.
        ServiceRequest => "service_request",
        /// A claim for compensation for which the council's insurers are
        /// responsible.
        InsuranceClaim => "insurance_claim",
        /// A disagreement with the law, or with a policy the council's
        /// members decided, rather than with how it was applied.
        PolicyOrLaw => "policy_or_law",
        /// The complainant's conduct is managed under the council's policy
        /// on unreasonable behaviour.
        UnreasonableBehaviour => "unreasonable_behaviour",
        /// Another reason, given in `refusal_details`.
        Other => "other",
    }
}
