import Foundation
import Testing

@testable import _ChuandaoOutput

@Suite("Atomic file writing")
struct AtomicFileTests {
  @Test("writes, replaces, and leaves no temporary file")
  func replaces() throws {
    let dir = makeTemporaryDirectory()
    defer { removeTree(dir) }
    let path = dir + "/out.json"
    try AtomicFile.write(Array("first".utf8), to: path)
    #expect(readBytes(path) == Array("first".utf8))
    try AtomicFile.write(Array("第二".utf8), to: path)
    #expect(readBytes(path) == Array("第二".utf8))
    try AtomicFile.write([], to: path)
    #expect(readBytes(path) == [])
    #expect(contents(ofDirectory: dir) == ["out.json"])
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    // Mode 0644 less the umask: no write bit for group or others, no special bits.
    #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o7022 } == 0)
  }

  @Test("a relative path without a directory writes in the working directory")
  func relativeSplit() {
    #expect(AtomicFile.split("out.csv") == (".", "out.csv"))
    #expect(AtomicFile.split("/out.csv") == ("/", "out.csv"))
    #expect(AtomicFile.split("a/b/out.csv") == ("a/b", "out.csv"))
  }

  @Test("refuses a protected input, however the path is spelled")
  func protectsInputs() throws {
    let dir = makeTemporaryDirectory()
    defer { removeTree(dir) }
    try FileManager.default.createDirectory(
      atPath: dir + "/data", withIntermediateDirectories: false)
    let input = dir + "/data/org.csv"
    try AtomicFile.write(Array("id,name\r\n".utf8), to: input)
    try FileManager.default.createSymbolicLink(
      atPath: dir + "/link.csv", withDestinationPath: input)
    let protected: Set<String> = [dir + "/data/./org.csv"]
    for target in [input, dir + "/data/../data/org.csv", dir + "//data/org.csv", dir + "/link.csv"]
    {
      #expect(throws: OutputError.wouldOverwriteInput(target)) {
        try AtomicFile.write(Array("x".utf8), to: target, protecting: protected)
      }
    }
    #expect(readBytes(input) == Array("id,name\r\n".utf8))
    // Another file in the same folder is fine.
    try AtomicFile.write(Array("x".utf8), to: dir + "/data/out.csv", protecting: protected)
    #expect(contents(ofDirectory: dir + "/data") == ["org.csv", "out.csv"])
  }

  @Test("fails cleanly in a directory that does not exist")
  func missingDirectory() {
    let dir = makeTemporaryDirectory()
    defer { removeTree(dir) }
    let path = dir + "/no/such/dir/out.json"
    #expect(throws: OutputError.cannotWrite(path: path, reason: "No such file or directory")) {
      try AtomicFile.write(Array("x".utf8), to: path)
    }
    #expect(contents(ofDirectory: dir) == [])
    let message = OutputError.cannotWrite(path: path, reason: "No such file or directory")
      .description
    #expect(message == "cannot write \(path): No such file or directory")
  }

  @Test("fails cleanly when the destination is a directory, removing the temporary")
  func destinationIsDirectory() throws {
    let dir = makeTemporaryDirectory()
    defer { removeTree(dir) }
    try FileManager.default.createDirectory(
      atPath: dir + "/out", withIntermediateDirectories: false)
    #expect(throws: OutputError.self) { try AtomicFile.write(Array("x".utf8), to: dir + "/out") }
    #expect(contents(ofDirectory: dir) == ["out"])
  }
}
