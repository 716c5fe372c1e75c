//! Check of the seed parser: any text is a seed or an error that names a line of the text.

pub fn seed(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = havip_seed::parse_seed(text) {
        let lines = text.lines().count().max(1);
        if let Some(line) = e.line() {
            // One past the last line is where an unterminated construct ends.
            assert!(
                (1..=lines + 1).contains(&line),
                "line {line} of a {lines}-line seed: {e}"
            );
        }
        let _ = e.to_string();
    }
}
