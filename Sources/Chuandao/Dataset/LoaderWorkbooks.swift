import Foundation
import _ChuandaoCSV
import _ChuandaoOutput
import _ChuandaoXLSX

// Tables read from Excel workbooks (docs/xlsx.md): `scores.xlsx` in place of `scores.csv`,
// or one `dataset.xlsx` whose sheets are named as the CSV files. A sheet's rows go through
// the same record path as a CSV file's (`readTable`), so checks, messages and results are
// the same; only the place differs (`scores.xlsx[scores]!C17`).

/// Where the loader reads one table of the dataset from.
enum TableSource: Sendable {
  case csv
  case sheet(WorkbookTable)
  /// A workbook that should hold the table and cannot be read: already reported.
  case failed
}

/// A table's sheet in a workbook.
struct WorkbookTable: Sendable {
  var workbook: XLSXWorkbook
  var sheet: XLSXWorkbook.Sheet
  /// The workbook's name in the folder (`scores.xlsx`).
  var file: String
  var bytes: Int
  /// The workbook's SHA-256 when digests are asked for.
  var sha256: String?
}

extension Dataset {
  /// The workbook holding every table as a sheet.
  public static let datasetWorkbook = "dataset.xlsx"

  /// The input files present in `folder` in their order for provenance and the snapshot:
  /// `dataset.yaml`, then per table of DATA.md its CSV file and its workbook
  /// (`scores.xlsx`), then `dataset.xlsx`.
  public static func inputFiles(in folder: String) -> [String] {
    inputCandidates.filter {
      FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0))
    }
  }

  /// Every name `inputFiles` may return, in its order.
  static let inputCandidates: [String] =
    ["dataset.yaml"]
    + knownFiles.dropFirst().flatMap { [$0, workbookName($0)] } + [datasetWorkbook]

  /// `scores.xlsx` for `scores.csv`.
  static func workbookName(_ csv: String) -> String { sheetName(csv) + ".xlsx" }

  /// `scores` for `scores.csv`: the sheet name in `dataset.xlsx`.
  static func sheetName(_ csv: String) -> String { String(csv.dropLast(4)) }
}

extension DatasetLoader {
  /// How a message about another table names table `csv` (`org.csv`): the CSV file, or
  /// the workbook and sheet it is read from (`dataset.xlsx[org]`), as places name them.
  func tableName(_ csv: String) -> String {
    if case .sheet(let t)? = sources[csv] { return "\(t.file)[\(t.sheet.name)]" }
    return csv
  }

  /// Whether the dataset has table `name`, as a CSV file or a sheet.
  func hasTable(_ name: String) -> Bool {
    switch sources[name] {
    case .csv?, .sheet?: true
    default: false
    }
  }

  /// Decides where each table is read from, opening the workbooks in the folder: a CSV
  /// file first, else `NAME.xlsx` (its sheet named NAME, else its first), else the sheet
  /// NAME of `dataset.xlsx`. A workbook that cannot be read is an error at the workbook; one
  /// left unread because the CSV file is there is a warning.
  mutating func resolveSources(entries: [String]) {
    let present = Set(entries)
    var datasetBook: XLSXWorkbook?
    if present.contains(Dataset.datasetWorkbook) {
      datasetBook = openWorkbook(Dataset.datasetWorkbook)
    }
    var used = Set<String>()
    for name in Dataset.knownFiles.dropFirst() {
      let sheetName = Dataset.sheetName(name)
      let own = Dataset.workbookName(name)
      let inBook = datasetBook?.sheet(named: sheetName)
      if present.contains(name) {
        sources[name] = .csv
        if present.contains(own) {
          log.warning(
            own, nil, zh: "同时存在 \(name)：读取 \(name)，不读此工作簿",
            en: "\(name) is there too: \(name) is read, this workbook is not")
        }
        if let inBook {
          log.warning(
            Dataset.datasetWorkbook, nil,
            zh: "工作表 '\(inBook.name)' 未读取：读取的是 \(name)",
            en: "sheet '\(inBook.name)' is not read: \(name) is")
        }
        continue
      }
      if present.contains(own) {
        guard let book = openWorkbook(own) else {
          sources[name] = .failed
          continue
        }
        guard let sheet = book.sheet(named: sheetName) ?? book.sheets.first else {
          log.error(own, nil, zh: "工作簿中没有工作表", en: "the workbook has no sheet")
          sources[name] = .failed
          continue
        }
        sources[name] = .sheet(table(book, sheet, file: own))
        if let inBook {
          log.warning(
            Dataset.datasetWorkbook, nil,
            zh: "工作表 '\(inBook.name)' 未读取：读取的是 \(own)",
            en: "sheet '\(inBook.name)' is not read: \(own) is")
        }
        continue
      }
      if let datasetBook, let inBook {
        sources[name] = .sheet(table(datasetBook, inBook, file: Dataset.datasetWorkbook))
        used.insert(inBook.name)
      } else if name == "org.csv", let datasetBook {
        let e = XLSXError.noSheet(sheetName, available: datasetBook.sheets.map(\.name)).message
        log.error(
          Dataset.datasetWorkbook, nil, zh: e.zh + "（需要工作表 org，或文件 org.csv）",
          en: e.en + " (needed: a sheet 'org', or the file org.csv)")
        sources[name] = .failed
      } else if present.contains(Dataset.datasetWorkbook) && datasetBook == nil {
        sources[name] = .failed
      }
    }
    if let datasetBook {
      let known = Set(Dataset.knownFiles.dropFirst().map(Dataset.sheetName))
      for sheet in datasetBook.sheets where !known.contains(sheet.name.lowercased()) {
        log.warning(
          Dataset.datasetWorkbook, nil,
          zh: "未知的工作表 '\(sheet.name)'：未读取（工作表名应为 \(known.sorted().joined(separator: ", "))）",
          en:
            "unknown sheet '\(sheet.name)' is not read (sheets are named \(known.sorted().joined(separator: ", ")))"
        )
      }
    }
    for (name, source) in sources {
      if case .sheet(let t) = source { log.sheets[name] = (t.file, t.sheet.name) }
    }
  }

  private mutating func openWorkbook(_ file: String) -> XLSXWorkbook? {
    do {
      return try XLSXWorkbook(path: path(file))
    } catch {
      let m = error.message
      log.error(file, nil, zh: m.zh, en: m.en)
      return nil
    }
  }

  private func table(_ book: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet, file: String)
    -> WorkbookTable
  {
    let p = path(file)
    let bytes = (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0
    return WorkbookTable(
      workbook: book, sheet: sheet, file: file, bytes: bytes,
      sha256: computesDigests ? try? FileDigest.sha256Hex(path: p) : nil)
  }

  /// `readTable` for a table read from a sheet: the same header and row handling, then what
  /// only a workbook can have: formulas without a cached value (a warning at the first),
  /// merged cells (an error in the header, a warning below it).
  mutating func readSheet(
    _ name: String, _ t: WorkbookTable, required: [StaticString], optional: [StaticString],
    row: (inout DatasetLoader, CSVRecord, Columns) -> Void
  ) -> Bool {
    var walk = TableWalk(name: name, required: required, optional: optional)
    normalised = NormalisedCells()
    let summary: XLSXSheetSummary
    do {
      summary = try t.workbook.forEachRecord(t.sheet) { rec in walk.take(rec, &self, row) }
    } catch let e as XLSXSheetError {
      let m = e.error.message
      // A fault of the file as a whole (damage, a bomb, a DOCTYPE) has no cell.
      let atCell: Bool =
        switch e.error {
        case .badReference, .sharedStringIndex, .badXML: true
        default: false
        }
      log.error(
        name, atCell ? e.cell?.row ?? e.row : nil, column: atCell ? e.cell?.column : nil, zh: m.zh,
        en: m.en)
      return false
    } catch {
      log.error(name, nil, zh: "无法读取：\(error)", en: "cannot read: \(error)")
      return false
    }
    if let cell = summary.firstFormulaWithoutValue {
      let n = summary.formulasWithoutValue
      log.warning(
        name, cell.row, column: cell.column,
        zh: "\(n) 个公式单元格没有缓存的计算结果（保存时未计算），按空值读取；请在 Excel 或 WPS 中打开并保存一次",
        en:
          "\(n) formula \(n == 1 ? "cell has" : "cells have") no cached value (saved without calculating) and \(n == 1 ? "is" : "are") read as empty; open and save the workbook in Excel or WPS"
      )
    }
    for merge in summary.merges {
      let header = merge.first.row <= walk.headerLine && merge.last.row >= walk.headerLine
      if header {
        log.error(
          name, merge.first.row, column: merge.first.column,
          zh: "表头中有合并单元格 \(merge.reference)：每列须有自己的列名，请取消合并",
          en:
            "merged cells \(merge.reference) in the header: every column needs its own name; unmerge them"
        )
      } else if merge.last.row > walk.headerLine {
        log.warning(
          name, merge.first.row, column: merge.first.column,
          zh: "合并单元格 \(merge.reference)：值只在左上角的单元格中，其余单元格按空值读取",
          en:
            "merged cells \(merge.reference): the value is in the top-left cell only, the others are read as empty"
        )
      }
    }
    return finishTable(
      DatasetFile(
        name: name, path: path(t.file), bytes: t.bytes, records: walk.records, encoding: "xlsx",
        sha256: t.sha256, workbook: t.file, sheet: t.sheet.name),
      required: required, hasColumns: walk.columns != nil, headerFailed: walk.headerFailed)
  }
}
