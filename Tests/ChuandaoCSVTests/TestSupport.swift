import Foundation
import Glibc
import Testing

@testable import _ChuandaoCSV

/// One record as read: its first line, its fields' text and their lines.
struct Row: Equatable, CustomStringConvertible {
  var line: Int
  var fields: [String]
  var fieldLines: [Int]

  init(_ line: Int, _ fields: [String], fieldLines: [Int]? = nil) {
    self.line = line
    self.fields = fields
    self.fieldLines = fieldLines ?? Array(repeating: line, count: fields.count)
  }

  var description: String { "\(line): \(fields) @\(fieldLines)" }
}

/// Everything a read produced: the records delivered, then the info or the error.
struct Outcome: Equatable {
  var rows: [Row]
  var info: CSVFileInfo?
  var error: CSVError?
}

/// Reads `bytes` with the given chunk size, collecting rows and the result.
func read(
  _ bytes: [UInt8], chunk: Int = CSVReader.chunkSize, maxRecord: Int = CSVReader.maxRecordBytes,
  name: String = "t.csv"
) -> Outcome {
  var rows: [Row] = []
  do {
    let info = try CSVReader.read(
      ByteInput(bytes: bytes, name: name), chunkSize: chunk, maxRecordBytes: maxRecord
    ) { r in
      rows.append(
        Row(
          r.line, (0..<r.count).map { r.string($0) },
          fieldLines: (0..<r.count).map { r.fieldLine($0) }))
    }
    return Outcome(rows: rows, info: info, error: nil)
  } catch let e as CSVError {
    return Outcome(rows: rows, info: nil, error: e)
  } catch {
    Issue.record("unexpected error \(error)")
    return Outcome(rows: rows, info: nil, error: nil)
  }
}

func read(_ text: String, chunk: Int = CSVReader.chunkSize) -> Outcome {
  read(Array(text.utf8), chunk: chunk)
}

/// The rows of `text`, failing the test on an error.
func rows(_ text: String, chunk: Int = CSVReader.chunkSize) -> [Row] {
  let o = read(text, chunk: chunk)
  #expect(o.error == nil, "unexpected \(String(describing: o.error))")
  return o.rows
}

/// The path of a fixture file (Tests/ChuandaoCSVTests/Fixtures, made by
/// Tests/Fixtures-scripts/csv/make_fixtures.sh).
func fixture(_ name: String) -> String {
  Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name).path
}

func contents(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }

/// UTF-8 to GB18030 with glibc's iconv (test data only).
func gb18030(_ text: String) -> [UInt8] {
  let cd = iconv_open("GB18030", "UTF-8")!
  defer { iconv_close(cd) }
  var input = Array(text.utf8)
  var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
  let written = input.withUnsafeMutableBytes { inRaw in
    output.withUnsafeMutableBytes { outRaw in
      var inPtr: UnsafeMutablePointer<CChar>? = inRaw.baseAddress?.assumingMemoryBound(
        to: CChar.self)
      var inLeft = inRaw.count
      var outPtr: UnsafeMutablePointer<CChar>? = outRaw.baseAddress!.assumingMemoryBound(
        to: CChar.self)
      var outLeft = outRaw.count
      let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
      precondition(r != -1, "iconv UTF-8 -> GB18030 failed: errno \(errno)")
      return outRaw.count - outLeft
    }
  }
  return Array(output[0..<written])
}

/// A plain, byte-at-a-time reading of the reader's rules (RFC 4180 strict, LF or CRLF,
/// empty lines skipped but counted), used to check the fast parser on random input.
func referenceParse(_ b: [UInt8], name: String = "t.csv") -> Outcome {
  var rows: [Row] = []
  var i = 0
  var line = 1
  let n = b.count
  while i < n {
    if b[i] == 0x0A { line += 1; i += 1; continue }
    if b[i] == 0x0D && (i + 1 == n || b[i + 1] == 0x0A) {
      if i + 1 == n { break }
      line += 1; i += 2; continue
    }
    let first = line
    var fields: [String] = []
    var fieldLines: [Int] = []
    var cur = line
    var done = false
    while !done {
      var f: [UInt8] = []
      fieldLines.append(cur)
      if i < n && b[i] == 0x22 {
        i += 1
        while true {
          guard i < n else {
            return Outcome(rows: rows, error: .unterminatedQuote(path: name, line: first))
          }
          if b[i] == 0x22 {
            if i + 1 < n && b[i + 1] == 0x22 { f.append(0x22); i += 2; continue }
            i += 1
            break
          }
          if b[i] == 0x0A { cur += 1 }
          f.append(b[i])
          i += 1
        }
        if i == n {
          done = true
        } else if b[i] == 0x2C {
          i += 1
        } else if b[i] == 0x0A {
          i += 1; cur += 1; done = true
        } else if b[i] == 0x0D && i + 1 == n {
          i += 1; done = true
        } else if b[i] == 0x0D && b[i + 1] == 0x0A {
          i += 2; cur += 1; done = true
        } else {
          return Outcome(rows: rows, error: .badQuote(path: name, line: first))
        }
      } else {
        while i < n && b[i] != 0x2C && b[i] != 0x0A {
          if b[i] == 0x22 { return Outcome(rows: rows, error: .badQuote(path: name, line: first)) }
          f.append(b[i])
          i += 1
        }
        if f.last == 0x0D && (i == n || b[i] == 0x0A) { f.removeLast() }
        if i == n {
          done = true
        } else if b[i] == 0x2C {
          i += 1
        } else {
          i += 1; cur += 1; done = true
        }
      }
      fields.append(String(decoding: f, as: UTF8.self))
    }
    rows.append(Row(first, fields, fieldLines: fieldLines))
    line = cur
  }
  let lf = b.filter { $0 == 0x0A }.count
  let lines = lf + (n > 0 && b[n - 1] != 0x0A ? 1 : 0)
  return Outcome(
    rows: rows,
    info: CSVFileInfo(encoding: .utf8, byteCount: n, recordCount: rows.count, lineCount: lines))
}
