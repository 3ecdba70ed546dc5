//! Property tests of the GB 32100 credit-code validator.

use proptest::prelude::*;
use zhifa_core::ValidationCode;
use zhifa_core::credit_code::{ALPHABET, check_char, validate};
use zhifa_core::normalize;

/// A structurally valid 17-character body: authority, kind, 6-digit division, 9 body chars.
fn body() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(b"123456789ANY".to_vec()),
        prop::sample::select(ALPHABET.to_vec()),
        prop::collection::vec(prop::sample::select(b"0123456789".to_vec()), 6),
        prop::collection::vec(prop::sample::select(ALPHABET.to_vec()), 9),
    )
        .prop_map(|(a, k, d, b)| {
            let mut v = vec![a, k];
            v.extend(d);
            v.extend(b);
            v
        })
}

fn with_check(mut b: Vec<u8>) -> String {
    let c = check_char(&b).unwrap();
    b.push(c);
    String::from_utf8(b).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn computed_check_char_validates(b in body()) {
        prop_assert!(validate(&with_check(b)).is_ok());
    }

    #[test]
    fn any_single_substitution_is_detected(b in body(), pos in 0usize..18, sub in prop::sample::select(ALPHABET.to_vec())) {
        let code = with_check(b);
        let mut bytes = code.clone().into_bytes();
        prop_assume!(bytes[pos] != sub);
        bytes[pos] = sub;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(validate(&changed).is_err(), "{code} -> {changed}");
    }

    #[test]
    fn adjacent_transpositions_are_detected(b in body(), pos in 0usize..17) {
        let code = with_check(b);
        let mut bytes = code.clone().into_bytes();
        prop_assume!(bytes[pos] != bytes[pos + 1]);
        bytes.swap(pos, pos + 1);
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(validate(&changed).is_err(), "{code} -> {changed}");
    }

    #[test]
    fn lower_case_and_full_width_input_normalises_to_valid(b in body()) {
        let code = with_check(b);
        let typed: String = code
            .chars()
            .enumerate()
            .map(|(i, c)| match i % 3 {
                0 => c.to_ascii_lowercase(),
                1 => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap(),
                _ => c,
            })
            .collect();
        prop_assert_eq!(normalize::credit_code(&format!(" {typed}\u{3000}")), code);
    }

    #[test]
    fn arbitrary_text_never_panics_and_has_a_code(s in "\\PC{0,30}") {
        if let Err(e) = validate(&s) {
            prop_assert!(!e.message.is_empty());
            prop_assert!(e.code != ValidationCode::DuplicateInFile);
        }
    }

    #[test]
    fn wrong_length_is_reported_as_length(b in body(), cut in 1usize..17) {
        let code = with_check(b);
        prop_assert_eq!(validate(&code[..cut]).unwrap_err().code, ValidationCode::CreditCodeLength);
    }
}
