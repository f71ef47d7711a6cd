import ArgumentParser

/// Finds a mistyped subcommand before ArgumentParser does, and says what was probably meant: `spi party lsit` reads
/// "unknown command 'lsit' for 'spi party'; did you mean 'list'?" (exit 64) instead of "unexpected argument".
enum CommandSuggestion {
    /// The message for `arguments` (without the program name) when they name a subcommand that does not exist, or
    /// nil when the command path is fine (or ends before any unknown word: options, a leaf's own arguments).
    /// `spi help WORD…` is checked the same way.
    static func unknownSubcommand(in arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = SPICommand.self
        var path: [String] = ["spi"]
        var words: [String] = arguments
        if let first = words.first, first == "help" { words.removeFirst() }
        for word in words {
            if word.hasPrefix("-") { return nil }
            let configuration = command.configuration
            let subcommands: [any ParsableCommand.Type] = configuration.subcommands
            // A leaf takes its own arguments; a group with a default subcommand passes unknown words on to it.
            if subcommands.isEmpty || configuration.defaultSubcommand != nil { return nil }
            var next: (any ParsableCommand.Type)?
            var known: [String] = []
            for subcommand in subcommands {
                let names = Self.names(of: subcommand)
                known.append(names[0])
                if next == nil, names.contains(word) { next = subcommand }
            }
            guard let found = next else {
                var message = "unknown command '\(word)' for '\(path.joined(separator: " "))'"
                if let guess = closest(to: word, in: known) { message += "; did you mean '\(guess)'?" }
                return message + " (commands: \(known.joined(separator: ", ")))"
            }
            command = found
            path.append(Self.names(of: found)[0])
        }
        return nil
    }

    /// A command's name and aliases.
    static func names(of command: any ParsableCommand.Type) -> [String] {
        let configuration = command.configuration
        return [configuration.commandName ?? command._commandName] + configuration.aliases
    }

    /// The candidate closest to `word`: one it starts, or one within a small edit distance (a third of the word's
    /// length, at least 1, at most 3); nil when none is close.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        if lower.count >= 2, let prefixed = candidates.first(where: { $0.hasPrefix(lower) }) { return prefixed }
        let limit = min(3, max(1, lower.count / 3))
        let scored = candidates.map { ($0, distance(lower, $0)) }.filter { $0.1 <= limit }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// The Damerau–Levenshtein distance (optimal string alignment): a swap of two neighbours counts as one edit.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
