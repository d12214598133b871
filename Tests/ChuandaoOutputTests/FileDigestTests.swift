import ChuandaoStats
import Foundation
import Testing

@testable import _ChuandaoOutput

@Suite("SHA-256")
struct FileDigestTests {
  /// FIPS 180-4 / NIST CSRC example vectors.
  @Test("known vectors")
  func vectors() {
    #expect(
      FileDigest.sha256Hex(bytes: Array("abc".utf8))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      FileDigest.sha256Hex(bytes: [])
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      FileDigest.sha256Hex(
        bytes: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test("file digest of one million 'a' (FIPS 180-4 long vector)")
  func millionA() throws {
    let dir = makeTemporaryDirectory()
    defer { removeTree(dir) }
    let path = dir + "/a.txt"
    try AtomicFile.write([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000), to: path)
    #expect(
      try FileDigest.sha256Hex(path: path)
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  /// Files around the 1 MiB chunk boundary and across several chunks, against
  /// coreutils' `sha256sum`.
  @Test(
    "file digest equals /usr/bin/sha256sum", arguments: [0, 3, 1 << 20, (1 << 20) + 1, 2_621_447])
  func matchesSha256sum(size: Int) throws {
    let dir = makeTemporaryDirectory()
    defer { removeTree(dir) }
    let path = dir + "/data.bin"
    var g = SplitMix64(seed: UInt64(size))
    let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: g.next()) }
    try AtomicFile.write(bytes, to: path)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let expected = String(decoding: output, as: UTF8.self).split(separator: " ").first.map(
      String.init)

    #expect(try FileDigest.sha256Hex(path: path) == expected)
    #expect(FileDigest.sha256Hex(bytes: bytes) == expected)
  }

  @Test("a missing file or a directory is a read error naming the path")
  func errors() {
    let dir = makeTemporaryDirectory()
    defer { removeTree(dir) }
    #expect(
      throws: OutputError.cannotRead(path: dir + "/none", reason: "No such file or directory")
    ) {
      try FileDigest.sha256Hex(path: dir + "/none")
    }
    #expect(throws: OutputError.cannotRead(path: dir, reason: "Is a directory")) {
      try FileDigest.sha256Hex(path: dir)
    }
  }
}
