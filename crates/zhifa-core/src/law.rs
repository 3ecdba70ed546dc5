//! Law articles (法律法规库).

use serde::{Deserialize, Serialize};

/// One article entry of `data/seed/laws.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LawArticle {
    /// Full title.
    pub law: String,
    /// Short key (安全生产法 …).
    pub short: String,
    /// Revision and effective date.
    pub version: String,
    /// Article (第一条).
    pub article: String,
    /// Article number (`None` for entries that are not numbered articles).
    pub article_no: Option<u32>,
    /// Chapter.
    pub chapter: Option<String>,
    /// Text.
    pub text: String,
    /// Whether the text is verbatim (false = paraphrase, must stay marked).
    pub verbatim: bool,
    /// Source.
    pub source: String,
    /// Topics.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// `全文` or which part is verbatim.
    #[serde(default)]
    pub verbatim_scope: Option<String>,
}

impl LawArticle {
    /// Stable key: `short#article` (e.g. `安全生产法#第一条`).
    pub fn key(&self) -> String {
        format!("{}#{}", self.short, self.article)
    }
}
