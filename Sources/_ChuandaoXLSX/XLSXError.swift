/// Why a workbook (or one of its sheets) cannot be read. Each case says what is wrong in
/// words a user can act on (`message`); the place (the file, the sheet, a cell) is added
/// by whoever reports it.
public enum XLSXError: Error, Sendable, Equatable {
  /// The file cannot be opened or read (the system's reason).
  case unreadable(String)
  /// An OLE compound file with an encrypted package: a password-protected workbook.
  case passwordProtected
  /// An OLE compound file without encryption: the old binary `.xls` format.
  case legacyBinary
  /// Not a zip file at all (no local-file signature).
  case notZip
  /// A zip whose directory or an entry's data cannot be read (truncated, damaged).
  case corruptZip(String)
  /// A zip bomb: an entry would inflate past a bound (`what` says which and the figures).
  case bomb(what: String)
  /// A part the format requires is absent (`xl/workbook.xml`, a sheet's part).
  case missingPart(String)
  /// The XML of a part is malformed (the part and what was wrong).
  case badXML(part: String, reason: String)
  /// A document type declaration: refused, so that no entity is ever expanded.
  case doctype(part: String)
  /// The workbook has no sheet of that name (the names it has follow).
  case noSheet(String, available: [String])
  /// A cell refers to shared string `index`, the table having `count`.
  case sharedStringIndex(index: Int, count: Int, cell: String)
  /// A cell reference or row number that is not one (`r="ZZZZ0"`), or out of Excel's range.
  case badReference(String)

  /// The message, in Chinese and English.
  public var message: (zh: String, en: String) {
    switch self {
    case .unreadable(let reason):
      return ("无法读取：\(reason)", "cannot read: \(reason)")
    case .passwordProtected:
      return (
        "工作簿设有打开密码（已加密），无法读取：请在 Excel 或 WPS 中取消密码后另存为 .xlsx，或另存为 CSV",
        "the workbook is password-protected (encrypted) and cannot be read: remove the password in Excel or WPS and save it again as .xlsx, or save it as CSV"
      )
    case .legacyBinary:
      return (
        "这是旧的二进制 Excel 格式（.xls），无法读取：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV",
        "this is the old binary Excel format (.xls), which is not read: save it as .xlsx or CSV in Excel or WPS"
      )
    case .notZip:
      return (
        "不是 .xlsx 工作簿（不是 zip 文件）：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV",
        "not an .xlsx workbook (not a zip file): save it as .xlsx or CSV in Excel or WPS"
      )
    case .corruptZip(let what):
      return (
        "工作簿已损坏或不完整（\(what)）：请重新导出或复制",
        "the workbook is damaged or truncated (\(what)): export or copy it again"
      )
    case .bomb(let what):
      return ("拒绝读取：疑似 zip 炸弹（\(what)）", "refused: a suspected zip bomb (\(what))")
    case .missingPart(let part):
      return (
        "工作簿缺少部件 \(part)：文件已损坏，或不是 Excel 工作簿",
        "the workbook lacks its part \(part): the file is damaged, or not an Excel workbook"
      )
    case .badXML(let part, let reason):
      return (
        "工作簿部件 \(part) 的 XML 有误（\(reason)）：文件已损坏",
        "malformed XML in the workbook's part \(part) (\(reason)): the file is damaged"
      )
    case .doctype(let part):
      return (
        "工作簿部件 \(part) 含有 DOCTYPE 声明：为防止实体扩展攻击，拒绝读取（Excel 与 WPS 从不写入 DOCTYPE）",
        "the workbook's part \(part) holds a DOCTYPE declaration: refused, to rule out entity-expansion attacks (Excel and WPS never write one)"
      )
    case .noSheet(let name, let available):
      let list = available.isEmpty ? "—" : available.map { "'\($0)'" }.joined(separator: ", ")
      return (
        "工作簿中没有名为 '\(name)' 的工作表（现有：\(list)）",
        "the workbook has no sheet named '\(name)' (it has \(list))"
      )
    case .sharedStringIndex(let index, let count, let cell):
      return (
        "单元格 \(cell) 引用共享字符串 \(index)，但共享字符串表只有 \(count) 项：文件已损坏",
        "cell \(cell) refers to shared string \(index), and the shared-string table has \(count): the file is damaged"
      )
    case .badReference(let what):
      return (
        "无效的单元格引用或行号 '\(what)'：文件已损坏",
        "invalid cell reference or row number '\(what)': the file is damaged"
      )
    }
  }
}
