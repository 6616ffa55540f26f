//! `OIDC_ROLE_MAP`: which Redress role and directorates the identity
//! provider's role (or group) claim values give.
//!
//! The syntax is entries separated by `;`, each `VALUE=ROLE` or
//! `VALUE=ROLE:DIRECTORATE,DIRECTORATE`:
//!
//! ```text
//! Redress.Admin=admin;Complaints.Adults=caseworker:adults,children
//! ```
//!
//! `VALUE` is matched exactly (case-sensitive) against each value of the
//! claim. When several entries match, the user gets the most powerful of
//! their roles ([`power`]) and the union of their directorates.

use std::collections::BTreeSet;

use crate::users::Role;

/// How much a role may do, for picking the strongest of several matches:
/// admin, then manager, caseworker, integration, analyst.
pub fn power(role: Role) -> u8 {
    match role {
        Role::Admin => 5,
        Role::Manager => 4,
        Role::Caseworker => 3,
        Role::Integration => 2,
        Role::Analyst => 1,
    }
}

/// One entry of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    /// The claim value that selects this entry.
    pub value: String,
    /// The role it gives.
    pub role: Role,
    /// The directorate codes it gives (lower case).
    pub directorates: Vec<String>,
}

/// The parsed `OIDC_ROLE_MAP`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMap(Vec<RoleGrant>);

impl RoleMap {
    /// Parse the `VALUE=ROLE[:DIR,DIR]` entries separated by `;`.
    pub fn parse(text: &str) -> Result<RoleMap, String> {
        let mut grants: Vec<RoleGrant> = Vec::new();
        for entry in text.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let (value, grant) = entry.rsplit_once('=').ok_or_else(|| {
                format!("OIDC_ROLE_MAP: `{entry}` is not VALUE=ROLE or VALUE=ROLE:DIRECTORATES")
            })?;
            let value = value.trim();
            if value.is_empty() {
                return Err(format!("OIDC_ROLE_MAP: `{entry}` has no claim value"));
            }
            if grants.iter().any(|g| g.value == value) {
                return Err(format!("OIDC_ROLE_MAP: `{value}` is mapped twice"));
            }
            let (role, directorates) = grant.split_once(':').unwrap_or((grant, ""));
            let role = Role::parse(role.trim()).ok_or_else(|| {
                format!(
                    "OIDC_ROLE_MAP: `{}` is not a role (admin, manager, caseworker, analyst or integration)",
                    role.trim()
                )
            })?;
            let directorates = directorates
                .split(',')
                .map(|d| d.trim().to_lowercase())
                .filter(|d| !d.is_empty())
                .map(|d| {
                    let ok = d.starts_with(|c: char| c.is_ascii_lowercase())
                        && d.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    if ok {
                        Ok(d)
                    } else {
                        Err(format!("OIDC_ROLE_MAP: `{d}` is not a directorate code"))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            grants.push(RoleGrant {
                value: value.to_string(),
                role,
                directorates,
            });
        }
        if grants.is_empty() {
            return Err("OIDC_ROLE_MAP must map at least one claim value to a role".into());
        }
        Ok(RoleMap(grants))
    }

    /// The entries, in the order configured.
    pub fn grants(&self) -> &[RoleGrant] {
        &self.0
    }

    /// The role and directorates that `values` (the claim's values) give:
    /// the strongest matching role and every matching entry's directorates,
    /// sorted; `None` when no entry matches.
    pub fn resolve<'a>(
        &self,
        values: impl IntoIterator<Item = &'a str>,
    ) -> Option<(Role, Vec<String>)> {
        let values: BTreeSet<&str> = values.into_iter().collect();
        let matched: Vec<&RoleGrant> = self
            .0
            .iter()
            .filter(|g| values.contains(g.value.as_str()))
            .collect();
        let role = matched.iter().map(|g| g.role).max_by_key(|r| power(*r))?;
        let directorates: BTreeSet<&String> =
            matched.iter().flat_map(|g| g.directorates.iter()).collect();
        Some((role, directorates.into_iter().cloned().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_role_and_every_directorate_are_taken() {
        let map = RoleMap::parse(
            "Redress.Admin=admin; Complaints.ASC=caseworker:ASC,chs;Stats=analyst:corporate",
        )
        .unwrap();
        assert_eq!(
            map.resolve(["Stats", "Complaints.ASC", "other"]),
            Some((
                Role::Caseworker,
                vec!["asc".to_string(), "chs".into(), "corporate".into()]
            ))
        );
        assert_eq!(map.resolve(["Redress.Admin"]), Some((Role::Admin, vec![])));
        assert_eq!(map.resolve(["nothing"]), None);
    }

    #[test]
    fn malformed_maps_are_refused() {
        for bad in [
            "",
            "Admins",
            "=admin",
            "A=boss",
            "A=admin;A=manager",
            "A=caseworker:Bad-Code",
        ] {
            assert!(RoleMap::parse(bad).is_err(), "{bad}");
        }
    }
}
