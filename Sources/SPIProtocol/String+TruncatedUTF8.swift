extension String {
    /// The longest prefix of whole characters whose UTF-8 fits in `limit` bytes.
    func truncatedUTF8(to limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var result = ""
        var size = 0
        for character in self {
            let length = character.utf8.count
            if size + length > limit { break }
            result.append(character)
            size += length
        }
        return result
    }
}
