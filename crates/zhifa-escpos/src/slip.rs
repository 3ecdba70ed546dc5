//! The layout model: a slip is a list of lines (text, rules, QR codes, feeds, cuts).

/// Horizontal alignment (`ESC a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Left (`ESC a 0`).
    #[default]
    Left,
    /// Centre (`ESC a 1`).
    Center,
    /// Right (`ESC a 2`).
    Right,
}

impl Align {
    /// The `n` of `ESC a n`.
    pub fn code(self) -> u8 {
        match self {
            Self::Left => 0,
            Self::Center => 1,
            Self::Right => 2,
        }
    }
}

/// How a text line is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextStyle {
    /// Alignment.
    pub align: Align,
    /// Emphasis (`ESC E 1`).
    pub bold: bool,
    /// Double height (`GS ! 0x01`); the width, and so the wrapping, is unchanged.
    pub double_height: bool,
}

/// One element of a slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A paragraph; wrapped to the profile's width. `\n` starts a new printed line.
    Text {
        /// The text (Unicode; control characters are printed as spaces).
        text: String,
        /// Alignment.
        align: Align,
        /// Bold.
        bold: bool,
        /// Double height.
        double_height: bool,
    },
    /// A full-width dashed separator.
    Rule,
    /// A QR code (model 2, error level M) printed by the printer (`GS ( k`), centred.
    Qr {
        /// Content; sent as UTF-8 bytes. Keep it ASCII for the widest scanner support.
        payload: String,
        /// Module size in dots, 1–16.
        size: u8,
    },
    /// Feed `n` lines (`ESC d n`).
    Feed(u8),
    /// Feed to the cutter and cut (`GS V B 0`).
    Cut,
}

impl Line {
    /// A plain left-aligned text line.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text { text: text.into(), align: Align::Left, bold: false, double_height: false }
    }

    /// A centred text line.
    pub fn center(text: impl Into<String>) -> Self {
        Self::Text { text: text.into(), align: Align::Center, bold: false, double_height: false }
    }

    /// A centred, bold, double-height title.
    pub fn title(text: impl Into<String>) -> Self {
        Self::Text { text: text.into(), align: Align::Center, bold: true, double_height: true }
    }
}

/// A printable slip: what the encoder turns into one ESC/POS job.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Slip {
    /// The lines, top to bottom.
    pub lines: Vec<Line>,
}

impl Slip {
    /// Appends a line (builder style).
    pub fn push(&mut self, line: Line) -> &mut Self {
        self.lines.push(line);
        self
    }
}
