import Foundation

@testable import _ChuandaoOutput

/// A fresh empty directory under the system temporary directory.
func makeTemporaryDirectory() -> String {
  var base = NSTemporaryDirectory()
  while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
  var template = Array((base + "/chuandao-output-XXXXXX").utf8CString)
  let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
  precondition(made != nil, "mkdtemp failed")
  return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func removeTree(_ path: String) {
  try? FileManager.default.removeItem(atPath: path)
}

func contents(ofDirectory path: String) -> [String] {
  ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

func readBytes(_ path: String) -> [UInt8]? {
  FileManager.default.contents(atPath: path).map { Array($0) }
}
