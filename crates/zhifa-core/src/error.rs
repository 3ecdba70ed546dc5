//! Validation errors shared by every input path (import, app forms, sync).
//!
//! Each error carries the field it concerns, a stable machine code and a Chinese message
//! for the person who typed the value.

use serde::Serialize;

/// Stable machine-readable codes for validation failures.
///
/// The string form (see [`ValidationCode::as_str`]) is part of the CLI's `--json` contract
/// and must never change once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ValidationCode {
    /// A mandatory field is empty.
    Required,
    /// The value is longer than the field allows.
    TooLong,
    /// Credit code does not have 18 characters.
    CreditCodeLength,
    /// Credit code contains a character outside the GB 32100 charset.
    CreditCodeCharset,
    /// Credit code check character does not match.
    CreditCodeChecksum,
    /// Credit code's registration authority or organisation kind code is not defined.
    CreditCodeStructure,
    /// The division code is not a known division.
    DivisionUnknown,
    /// The division is outside the deployment's area.
    DivisionOutsideArea,
    /// The township is not inside the given county.
    DivisionMismatch,
    /// The GB/T 4754-2017 industry code is malformed or unknown.
    IndustryCodeInvalid,
    /// The supervision category is not one of the known categories.
    SupervisionCategoryInvalid,
    /// The operating status is not one of the known statuses.
    OperatingStatusInvalid,
    /// A coordinate is not a number.
    CoordinateInvalid,
    /// A coordinate is out of range (or outside China).
    CoordinateOutOfRange,
    /// Only one of longitude / latitude is given.
    CoordinateIncomplete,
    /// The phone number is malformed.
    PhoneInvalid,
    /// A date is malformed.
    DateInvalid,
    /// A number is malformed or out of range.
    NumberInvalid,
    /// The same key appears earlier in the same input.
    DuplicateInFile,
    /// The cell holds a formula instead of a value.
    FormulaCell,
    /// The text could not be decoded (replacement characters found).
    EncodingInvalid,
    /// A value is not one of the allowed choices.
    InvalidChoice,
}

impl ValidationCode {
    /// The stable string form, e.g. `CREDIT_CODE_CHECKSUM`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "REQUIRED",
            Self::TooLong => "TOO_LONG",
            Self::CreditCodeLength => "CREDIT_CODE_LENGTH",
            Self::CreditCodeCharset => "CREDIT_CODE_CHARSET",
            Self::CreditCodeChecksum => "CREDIT_CODE_CHECKSUM",
            Self::CreditCodeStructure => "CREDIT_CODE_STRUCTURE",
            Self::DivisionUnknown => "DIVISION_UNKNOWN",
            Self::DivisionOutsideArea => "DIVISION_OUTSIDE_AREA",
            Self::DivisionMismatch => "DIVISION_MISMATCH",
            Self::IndustryCodeInvalid => "INDUSTRY_CODE_INVALID",
            Self::SupervisionCategoryInvalid => "SUPERVISION_CATEGORY_INVALID",
            Self::OperatingStatusInvalid => "OPERATING_STATUS_INVALID",
            Self::CoordinateInvalid => "COORDINATE_INVALID",
            Self::CoordinateOutOfRange => "COORDINATE_OUT_OF_RANGE",
            Self::CoordinateIncomplete => "COORDINATE_INCOMPLETE",
            Self::PhoneInvalid => "PHONE_INVALID",
            Self::DateInvalid => "DATE_INVALID",
            Self::NumberInvalid => "NUMBER_INVALID",
            Self::DuplicateInFile => "DUPLICATE_IN_FILE",
            Self::FormulaCell => "FORMULA_CELL",
            Self::EncodingInvalid => "ENCODING_INVALID",
            Self::InvalidChoice => "INVALID_CHOICE",
        }
    }
}

impl std::fmt::Display for ValidationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validation failure of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message} ({code})")]
pub struct FieldError {
    /// Field name as the user knows it (the Chinese column name for ledger fields).
    pub field: String,
    /// Stable machine code.
    pub code: ValidationCode,
    /// Chinese message for the user.
    pub message: String,
}

impl FieldError {
    /// Builds an error for `field` with `code` and a Chinese `message`.
    pub fn new(field: impl Into<String>, code: ValidationCode, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }
}
