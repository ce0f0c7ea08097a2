//! The case catalogue: the scenarios of `features/` and what their tags say.
//!
//! Tags of a scenario (feature-level tags are inherited):
//! - `@id:AREA-NNN` — stable case id (required, unique);
//! - `@spec:SECTION` — the SGP.32 section checked (required);
//! - `@must`, `@should` or `@may` — the requirement level (exactly one);
//! - `@role:eim` — the SUT role;
//! - `@AREA` — the area, the folder name (`@psmo`, `@esipa`, ...);
//! - `@slow` — takes seconds;
//! - `@catches:FAULT` — a fault switch of the reference eIM that makes this case fail
//!   (every `@must` case names at least one);
//! - `@feature:NAME` — an optional SUT feature the case needs; a SUT profile that declares
//!   `NAME` absent makes the case UNSUPPORTED (a case is also UNSUPPORTED when its area is
//!   declared absent).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cucumber::gherkin::{self, GherkinEnv, tagexpr::TagOperation};
use cucumber::tag::Ext as _;

use crate::report::Level;

/// Why the catalogue could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read the catalogue at {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{feature}: scenario {title:?}: {message}")]
    Tags {
        feature: String,
        title: String,
        message: String,
    },
    #[error("case id {0} is used twice")]
    DuplicateId(String),
    #[error("bad tag expression {expr:?}: {message}")]
    TagExpression { expr: String, message: String },
}

/// One case of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInfo {
    pub id: String,
    pub title: String,
    /// The feature file, relative to the catalogue root, with `/` separators.
    pub feature: String,
    pub spec: String,
    pub level: Level,
    /// The area (the feature file's folder).
    pub area: String,
    /// All tags, without `@` (feature tags first).
    pub tags: Vec<String>,
    /// Fault switches that make this case fail.
    pub catches: Vec<String>,
    /// SUT features the case needs.
    pub needs: Vec<String>,
    pub slow: bool,
}

impl CaseInfo {
    /// Reads a case's meaning from its tags.
    pub fn from_tags(
        feature: &str,
        title: &str,
        tags: Vec<String>,
    ) -> Result<CaseInfo, CatalogueError> {
        let bad = |message: String| CatalogueError::Tags {
            feature: feature.to_string(),
            title: title.to_string(),
            message,
        };
        let value = |prefix: &str| {
            tags.iter()
                .filter_map(|t| t.strip_prefix(prefix))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let one = |prefix: &str| -> Result<String, CatalogueError> {
            let v = value(prefix);
            match v.as_slice() {
                [one] if !one.is_empty() => Ok(one.clone()),
                [] => Err(bad(format!("no @{prefix} tag"))),
                _ => Err(bad(format!("more than one @{prefix} tag"))),
            }
        };
        let levels: Vec<Level> = tags
            .iter()
            .filter_map(|t| match t.as_str() {
                "must" => Some(Level::Must),
                "should" => Some(Level::Should),
                "may" => Some(Level::May),
                _ => None,
            })
            .collect();
        let level = match levels.as_slice() {
            [one] => *one,
            [] => return Err(bad("no @must, @should or @may tag".into())),
            _ => return Err(bad("more than one requirement level".into())),
        };
        let area = feature
            .split('/')
            .next()
            .filter(|a| !a.ends_with(".feature"))
            .unwrap_or("")
            .to_string();
        if area.is_empty() || !tags.contains(&area) {
            return Err(bad(format!(
                "the area tag @{area} (the folder name) is missing"
            )));
        }
        let catches = value("catches:");
        if level == Level::Must && catches.is_empty() {
            return Err(bad("a @must case names at least one @catches:FAULT".into()));
        }
        Ok(CaseInfo {
            id: one("id:")?,
            spec: one("spec:")?,
            title: title.to_string(),
            feature: feature.to_string(),
            level,
            area,
            slow: tags.iter().any(|t| t == "slow"),
            catches,
            needs: value("feature:"),
            tags,
        })
    }

    /// Whether a SUT that declares `absent` lacks what this case needs.
    pub fn unsupported_by(&self, absent: &[String]) -> Option<String> {
        absent
            .iter()
            .find(|a| **a == self.area || self.needs.contains(a))
            .cloned()
    }
}

/// A tag filter (`--tags EXPR`): cucumber's tag expressions (`@psmo and not @slow`).
#[derive(Debug, Clone)]
pub struct TagFilter(Option<TagOperation>);

impl TagFilter {
    /// Everything.
    pub const ALL: TagFilter = TagFilter(None);

    /// Parses an expression; the empty string means everything.
    pub fn parse(expr: &str) -> Result<TagFilter, CatalogueError> {
        if expr.trim().is_empty() {
            return Ok(TagFilter::ALL);
        }
        expr.parse::<TagOperation>()
            .map(|op| TagFilter(Some(op)))
            .map_err(|e| CatalogueError::TagExpression {
                expr: expr.to_string(),
                message: e.to_string(),
            })
    }

    /// Whether a case with these tags (without `@`) is selected.
    pub fn matches(&self, tags: &[String]) -> bool {
        self.0.as_ref().is_none_or(|op| op.eval(tags.iter()))
    }
}

/// The catalogue root: `features/` in the working directory when there is one, else the
/// source tree's own (so an installed binary run from elsewhere still finds it).
pub fn default_root() -> PathBuf {
    let here = PathBuf::from("features");
    if here.is_dir() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("features")
    }
}

/// Every `.feature` file under `root`, sorted.
pub fn feature_files(root: &Path) -> Result<Vec<PathBuf>, CatalogueError> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|source| CatalogueError::Read {
            path: dir.clone(),
            source,
        })?;
        for entry in entries {
            let path = entry
                .map_err(|source| CatalogueError::Read {
                    path: dir.clone(),
                    source,
                })?
                .path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "feature") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The feature file's name relative to `root`, with `/`.
pub fn relative_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Tags of a scenario with its feature's (and rule's) tags before its own.
pub fn scenario_tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    let mut tags = feature.tags.clone();
    if let Some(r) = rule {
        tags.extend(r.tags.iter().cloned());
    }
    tags.extend(scenario.tags.iter().cloned());
    tags
}

/// Reads and checks the whole catalogue: every scenario well tagged, ids unique.
pub fn load(root: &Path) -> Result<Vec<CaseInfo>, CatalogueError> {
    let mut cases = Vec::new();
    let mut ids = BTreeSet::new();
    for path in feature_files(root)? {
        let feature = gherkin::Feature::parse_path(&path, GherkinEnv::default()).map_err(|e| {
            CatalogueError::Parse {
                path: path.clone(),
                message: e.to_string(),
            }
        })?;
        let name = relative_name(root, &path);
        let scenarios = feature.scenarios.iter().map(|s| (None, s)).chain(
            feature
                .rules
                .iter()
                .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s))),
        );
        for (rule, scenario) in scenarios {
            if scenario.examples.iter().any(|e| e.table.is_some()) {
                return Err(CatalogueError::Tags {
                    feature: name.clone(),
                    title: scenario.name.clone(),
                    message: "Scenario Outlines are not used: one scenario, one case id".into(),
                });
            }
            let tags = scenario_tags(&feature, rule, scenario);
            let case = CaseInfo::from_tags(&name, &scenario.name, tags)?;
            if !ids.insert(case.id.clone()) {
                return Err(CatalogueError::DuplicateId(case.id));
            }
            cases.push(case);
        }
    }
    Ok(cases)
}

/// One line of `sgp32 list`: id, level, spec section, title.
pub fn list_line(case: &CaseInfo) -> String {
    format!(
        "{:<12} {:<6} {:<12} {}",
        case.id,
        case.level.as_str(),
        case.spec,
        case.title
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tags_give_the_case_its_meaning() {
        let c = CaseInfo::from_tags(
            "psmo/enable.feature",
            "Enable",
            tags(&[
                "psmo",
                "role:eim",
                "id:PSMO-001",
                "spec:2.11.1.1",
                "must",
                "catches:counter-reused",
                "feature:rollback",
            ]),
        )
        .unwrap();
        assert_eq!(c.id, "PSMO-001");
        assert_eq!(c.spec, "2.11.1.1");
        assert_eq!(c.level, Level::Must);
        assert_eq!(c.area, "psmo");
        assert_eq!(c.catches, vec!["counter-reused"]);
        assert_eq!(
            c.unsupported_by(&["rollback".into()]).as_deref(),
            Some("rollback")
        );
        assert_eq!(c.unsupported_by(&["psmo".into()]).as_deref(), Some("psmo"));
        assert_eq!(c.unsupported_by(&["coap".into()]), None);
    }

    #[test]
    fn badly_tagged_cases_are_refused() {
        let base = ["psmo", "id:PSMO-001", "spec:2.11.1.1"];
        let with = |extra: &[&str]| {
            let mut t = tags(&base);
            t.extend(tags(extra));
            CaseInfo::from_tags("psmo/x.feature", "X", t)
        };
        assert!(with(&["must"]).is_err(), "a @must without @catches");
        assert!(with(&[]).is_err(), "no level");
        assert!(with(&["should", "may"]).is_err(), "two levels");
        assert!(with(&["should"]).is_ok());
        assert!(
            CaseInfo::from_tags("psmo/x.feature", "X", tags(&["id:A", "spec:1", "may"])).is_err(),
            "no area tag"
        );
    }

    #[test]
    fn tag_expressions_select_cases() {
        let f = TagFilter::parse("@psmo and not @slow").unwrap();
        assert!(f.matches(&tags(&["psmo", "must"])));
        assert!(!f.matches(&tags(&["psmo", "slow"])));
        assert!(!f.matches(&tags(&["eco"])));
        assert!(TagFilter::parse("").unwrap().matches(&tags(&["x"])));
        assert!(TagFilter::parse("@a and and").is_err());
    }
}
