import Foundation

extension Spi_V1_ChangeBatch {
    /// An upper bound on the batch's serialized size, in bytes, computed without encoding it.
    ///
    /// Every field is counted at its largest encoding (a 10-byte varint, a 5-byte length); only the bytes of text,
    /// blobs and ids are counted exactly. A sender checks a batch against the frame limit with it, and encodes the
    /// batch to measure it exactly only when the bound is over the limit: encoding twice per batch was a tenth of a
    /// sender's time.
    package var serializedSizeBound: Int {
        // Tag and length of an embedded message or byte string; a tagged varint; a tagged fixed 64-bit value.
        let lengthField = 6
        let varintField = 11
        var size = 0
        for site in sites { size += lengthField + site.count }
        for table in tables {
            size += lengthField + lengthField + table.name.utf8.count
            for column in table.columns { size += lengthField + column.utf8.count }
        }
        for cover in covers { size += lengthField + lengthField + cover.site.count + varintField }
        for row in rows {
            // Header, table, id, cl, hlc, site, row_version.
            size += lengthField + varintField + lengthField + varintField * 4
            switch row.rowID {
            case .uuid(let bytes): size += bytes.count
            case .text(let text): size += text.utf8.count
            case nil: break
            }
            for cell in row.cells {
                // Header, column, value (tag and length, or a varint), hlc, site, prior_hlc, prior_site.
                size += lengthField + varintField * 6 + lengthField
                switch cell.value {
                case .text(let text): size += text.utf8.count
                case .blob(let bytes): size += bytes.count
                default: break
                }
            }
        }
        return size + unknownFields.data.count
    }
}
