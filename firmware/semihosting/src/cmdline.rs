//! The command line that `SYS_GET_CMDLINE` returns (QEMU: the `-append` string).

/// Splits a command line at ASCII whitespace; runs of spaces make no empty arguments.
pub fn args(line: &str) -> impl Iterator<Item = &str> {
    line.split_ascii_whitespace()
}

/// The value of `--name=value` among the arguments, if present.
pub fn flag<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    args(line).find_map(|arg| {
        arg.strip_prefix("--")
            .and_then(|rest| rest.strip_prefix(name))
            .and_then(|rest| rest.strip_prefix('='))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_any_whitespace() {
        let mut it = args("  a.bin\tb.bin  --x=1 ");
        assert_eq!(it.next(), Some("a.bin"));
        assert_eq!(it.next(), Some("b.bin"));
        assert_eq!(it.next(), Some("--x=1"));
        assert_eq!(it.next(), None);
    }

    #[test]
    fn finds_flags_by_exact_name() {
        let line = "--frames=3 --frame=a.raw --out=o.bin";
        assert_eq!(flag(line, "frame"), Some("a.raw"));
        assert_eq!(flag(line, "frames"), Some("3"));
        assert_eq!(flag(line, "missing"), None);
    }
}
