//! Cutting a large registry into pieces that parse in parallel (see the module above).

use rayon::prelude::*;

use super::reader::{Reader, parse_piece};
use super::{LineMap, fast};
use crate::error::{LoadError, LoadErrorKind};
use crate::registry::{Entry, Notice, Registry};

/// A registry cut for parallel parsing.
#[derive(Debug)]
pub(super) struct Split<'a> {
    /// The text without the body of `clients:`.
    pub(super) skeleton: String,
    /// The line of `clients:`.
    pub(super) clients_line: u32,
    /// The indentation of the client keys.
    pub(super) indent: usize,
    /// Consecutive pieces of the body of `clients:`.
    pub(super) chunks: Vec<&'a str>,
}

/// The end of the line that starts at `start` (the index of its `\n`, or the text's end).
fn line_end(bytes: &[u8], start: usize) -> usize {
    memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |index| start + index)
}

/// Cuts `text` for [`parse_split`], or `None` when its shape does not allow it.
pub(super) fn split(text: &str, pieces: usize) -> Option<Split<'_>> {
    let bytes = text.as_bytes();
    // A carriage return alone is a line break to YAML, and pieces count lines by `\n`.
    if memchr::memchr_iter(b'\r', bytes).any(|index| bytes.get(index + 1) != Some(&b'\n')) {
        return None;
    }
    // The first line that starts with `clients:` must be the key, with its value below.
    let mut start = 0;
    let mut line = 1u32;
    let body_start = loop {
        if start >= bytes.len() {
            return None;
        }
        let end = line_end(bytes, start);
        if let Some(rest) = text[start..end].strip_prefix("clients:") {
            let rest = rest.strip_suffix('\r').unwrap_or(rest);
            let trimmed = rest.trim_start_matches(' ');
            let bare = rest.is_empty()
                || (rest.starts_with(' ') && (trimmed.is_empty() || trimmed.starts_with('#')));
            if !bare || end == bytes.len() {
                return None;
            }
            break end + 1;
        }
        start = end + 1;
        line += 1;
    };
    // The clients' indentation, from the first line with content.
    let mut start = body_start;
    let indent = loop {
        if start >= bytes.len() {
            return None;
        }
        let end = line_end(bytes, start);
        let content = &bytes[start..end];
        let spaces = content.iter().take_while(|&&b| b == b' ').count();
        match content.get(spaces) {
            None | Some(b'\r') | Some(b'#') => start = end + 1,
            Some(first) if spaces > 0 && is_key_start(*first) => break spaces,
            _ => return None,
        }
    };
    // The body ends at the first line that starts in column 0 with content.
    let body_end = memchr::memchr_iter(b'\n', &bytes[body_start..])
        .map(|index| body_start + index + 1)
        .find(|&next| match bytes.get(next) {
            None | Some(b' ' | b'\n' | b'#') => false,
            Some(b'\r') => bytes.get(next + 1) != Some(&b'\n'),
            Some(_) => true,
        })
        .unwrap_or(bytes.len());
    let body = &text[body_start..body_end];
    let mut cuts = vec![0];
    for piece in 1..pieces {
        let target = body.len() / pieces * piece;
        let last = *cuts.last().unwrap_or(&0);
        if target <= last {
            continue;
        }
        if let Some(cut) = next_client_line(body.as_bytes(), target, indent)
            && cut > last
        {
            cuts.push(cut);
        }
    }
    cuts.push(body.len());
    let skeleton = format!("{}{}", &text[..body_start], &text[body_end..]);
    Some(Split {
        skeleton,
        clients_line: line,
        indent,
        chunks: cuts
            .windows(2)
            .map(|window| &body[window[0]..window[1]])
            .collect(),
    })
}

/// Whether a line whose content starts with `byte` may start a client key.
fn is_key_start(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'"' | b'\'')
}

/// The start of the first line at or after `from` that starts a client key.
fn next_client_line(body: &[u8], from: usize, indent: usize) -> Option<usize> {
    memchr::memchr_iter(b'\n', &body[from.saturating_sub(1)..])
        .map(|index| from.saturating_sub(1) + index + 1)
        .find(|&start| {
            body.len() > start + indent
                && body[start..start + indent].iter().all(|&b| b == b' ')
                && is_key_start(body[start + indent])
        })
}

/// Parses the pieces in parallel and the skeleton after them; `Err` means "parse it whole".
pub(super) fn parse_split(split: &Split<'_>) -> Result<Registry, LoadError> {
    let counts: Vec<u32> = split
        .chunks
        .par_iter()
        .map(|chunk| memchr::memchr_iter(b'\n', chunk.as_bytes()).count() as u32)
        .collect();
    let mut offsets = Vec::with_capacity(counts.len());
    let mut offset = split.clients_line;
    for count in &counts {
        offsets.push(offset);
        offset += count;
    }
    let gap = offset - split.clients_line;
    let pieces: Vec<(Vec<Entry>, Vec<Notice>)> = split
        .chunks
        .par_iter()
        .zip(offsets)
        .map(|(chunk, offset)| {
            if let Some(piece) = fast::parse_chunk(chunk, split.indent, offset) {
                return Ok(piece);
            }
            parse_piece(chunk, offset)
        })
        .collect::<Result<_, LoadError>>()?;
    let mut registry = Registry::default();
    let lines = LineMap {
        offset: 0,
        gap_after: split.clients_line,
        gap,
    };
    let clients = Reader::new(&split.skeleton, lines).document(&mut registry)?;
    if clients != Some((split.clients_line, true)) {
        return Err(LoadError::new(
            None,
            LoadErrorKind::Syntax("not cut at the clients".to_owned()),
        ));
    }
    registry
        .entries
        .reserve_exact(pieces.iter().map(|(entries, _)| entries.len()).sum());
    for (entries, notices) in pieces {
        registry.entries.extend(entries);
        registry.notices.extend(notices);
    }
    Ok(registry)
}
