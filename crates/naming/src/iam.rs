//! IAM's wildcard matching, for names: resources and `StringLike` conditions (`iam_like`,
//! case-sensitive) and actions (`iam_action_like`, case-insensitive as IAM compares
//! actions).

/// Whether `value` matches `pattern` as IAM matches resources and `StringLike` conditions:
/// `*` is any run of characters (`/` included), `?` any one character, everything else
/// itself (case-sensitive).
///
/// ```
/// use naming::iam_like;
/// assert!(iam_like("tenants/acme/*", "tenants/acme/layers/x/terraform.tfstate"));
/// assert!(iam_like("regions/*/clients/layers/*", "regions/r/clients/clients/layers/x"));
/// assert!(!iam_like("tenants/acme/*", "tenants/acme-2/x"));
/// assert!(iam_like("a?c", "abc") && !iam_like("a?c", "ac"));
/// ```
pub fn iam_like(pattern: &str, value: &str) -> bool {
    let (pattern, value) = (pattern.as_bytes(), value.as_bytes());
    let (mut p, mut v) = (0, 0);
    // Where the last `*` was, and how much of `value` it has taken.
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, v));
                p += 1;
            }
            Some(&c) if c == b'?' || c == value[v] => {
                p += 1;
                v += 1;
            }
            _ => match star {
                Some((star_p, star_v)) => {
                    p = star_p + 1;
                    v = star_v + 1;
                    star = Some((star_p, star_v + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Whether the action `value` (such as `s3:DeleteObject`) matches the policy's action
/// pattern (such as `s3:Del*`, `s3:*Object`, `*`), as IAM compares actions: ignoring case.
pub fn iam_action_like(pattern: &str, value: &str) -> bool {
    iam_like(&pattern.to_ascii_lowercase(), &value.to_ascii_lowercase())
}
