//! The registry loader on arbitrary input: it never panics, never hangs, and answers the
//! same whether the text is parsed whole or cut into pieces (with the line-level fast path);
//! what loads is validated, and a block allocated from it overlaps nothing it holds.

#![no_main]

use cidr_registry::cidr::Span;
use cidr_registry::load::{Strategy, parse};
use cidr_registry::{Scope, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sequential = parse(text, Strategy::Sequential);
    for pieces in [2, 3, 7] {
        assert_eq!(parse(text, Strategy::Chunked(pieces)), sequential, "cut into {pieces}");
    }
    let Ok(registry) = sequential else {
        return;
    };
    let validation = validate(&registry, Scope::Global);
    assert!(validation.errors() + validation.warnings() >= validation.pair_findings.len());
    let used: Vec<Span> = validation.blocks.iter().flatten().map(|block| Span::of(*block)).collect();
    if let Some(block) = cidr_registry::allocate::first_fit("10.0.0.0/8".parse().expect("pool"), 16, &used) {
        assert!(used.iter().all(|span| !span.overlaps(Span::of(block))));
    }
});
