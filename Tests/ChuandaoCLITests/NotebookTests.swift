import Foundation
import Testing

/// `chuandao notebook run`: every notebook in `notebooks-md/` is current (`--check`), a
/// bad block fails at its line, a stale output is found at its line, and what a block may
/// not do (a shell, `--out`, a command that writes files) is refused.
@Suite("chuandao notebook run")
struct NotebookTests {
  static var notebooks: [String] {
    let root = CLI.repository.appendingPathComponent("notebooks-md").path
    var out: [String] = []
    for folder in [root, root + "/en"] {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      out += names.filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted().map { folder + "/" + $0 }
    }
    return out
  }

  @Test("the five worked analyses exist in Chinese and in English")
  func theFive() {
    let names = Self.notebooks.map { URL(fileURLWithPath: $0).lastPathComponent }
    for stem in ["01-getting-started", "02-attenuation-report", "03-cold-and-hot", "04-comparing-over-time", "05-annual-assessment-feed"] {
      #expect(names.filter { $0 == stem + ".md" }.count == 2, "\(stem).md in notebooks-md/ and notebooks-md/en/")
    }
  }

  @Test("every notebook in notebooks-md runs and is current (--check)", arguments: Self.notebooks)
  func check(_ notebook: String) throws {
    let out = try CLI.temporaryDirectory() + "/nb"
    let r = try CLI.run(["notebook", "run", notebook, "--out", out, "--check"])
    #expect(r.status == 0, "\(notebook): \(r.stderr)")
    let stem = URL(fileURLWithPath: notebook).deletingPathExtension().lastPathComponent
    #expect(r.out == "\(out)/\(stem).md\n\(out)/\(stem).html\n")
    let html = try String(contentsOfFile: "\(out)/\(stem).html", encoding: .utf8)
    // Self-contained: no script, no external resource, the charts inline.
    #expect(!html.contains("<script"))
    #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url("))
    #expect(!html.contains("<img"), "every chart is inlined")
    #expect(!html.contains("chuandao:output"), "the output markers are comments, left out of the page")
    let markdown = try String(contentsOfFile: "\(out)/\(stem).md", encoding: .utf8)
    let linked = markdown.components(separatedBy: "](\(stem)_files/").count - 1
    #expect(html.components(separatedBy: "<svg").count - 1 == linked)
  }

  /// A notebook in a temporary folder beside a copy-free path to the sample.
  static func write(_ text: String) throws -> (folder: String, notebook: String) {
    let folder = try CLI.temporaryDirectory()
    let path = folder + "/nb.md"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return (folder, path)
  }

  @Test("a block that fails stops the run with exit 1 and names the notebook's line")
  func failingBlock() throws {
    let (folder, nb) = try Self.write("""
      # T

      ```chuandao
      chuandao summary \(CLI.sample)
      ```

      ```chuandao
      chuandao imbalance \(CLI.sample) --level nowhere
      ```
      """)
    let r = try CLI.run(["notebook", "run", nb, "--out", folder + "/out", "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("\(nb):7: error: the block at line 8 failed: chuandao imbalance"), "\(r.stderr)")
    #expect(r.stderr.contains("unknown level 'nowhere'"))
    #expect(r.out.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: folder + "/out/nb.md"), "nothing written after a failure")
  }

  @Test("what a block may not do is refused at its line", arguments: [
    ("chuandao summary DATA | head", "shell character '|'"),
    ("chuandao summary DATA > x.txt", "shell character '>'"),
    ("chuandao summary DATA --out x.txt", "--out cannot be used in a block"),
    ("chuandao report DATA", "`chuandao report` cannot run in a notebook"),
    ("chuandao generate /tmp/x", "`chuandao generate` cannot run in a notebook"),
    ("chuandao notebook run nb.md", "`chuandao notebook` cannot run in a notebook"),
    ("rm -rf /", "a block's command starts with chuandao"),
    ("chuandao summary DATA --help", "--help cannot be used in a block"),
  ])
  func refused(_ command: String, _ message: String) throws {
    let (folder, nb) = try Self.write("Intro.\n\n```chuandao\n\(command.replacingOccurrences(of: "DATA", with: CLI.sample))\n```\n")
    let r = try CLI.run(["notebook", "run", nb, "--out", folder + "/out", "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("\(nb):4: error: "), "\(r.stderr)")
    #expect(r.stderr.contains(message), "\(r.stderr)")
  }

  @Test("an unknown #| option and a malformed notebook are refused at their line")
  func badOptions() throws {
    let (folder, nb) = try Self.write("```chuandao\n#| colour: red\nchuandao summary \(CLI.sample)\n```\n")
    let r = try CLI.run(["notebook", "run", nb, "--out", folder + "/out", "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("\(nb):2: error: unknown option 'colour'"), "\(r.stderr)")
    let (folder2, nb2) = try Self.write("Text.\n\n```chuandao\nchuandao summary x\n")
    let r2 = try CLI.run(["notebook", "run", nb2, "--out", folder2 + "/out", "--lang", "en"])
    #expect(r2.status == 1)
    #expect(r2.stderr.hasPrefix("\(nb2):3: error: the chuandao block has no closing ```"), "\(r2.stderr)")
  }

  @Test("--check finds a stale table cell and a stale chart at their lines; a run then writes the current ones")
  func staleness() throws {
    let (folder, nb) = try Self.write("""
      ---
      lang: en
      ---
      # T

      ```chuandao
      #| warning: false
      chuandao summary \(CLI.sample)
      ```

      ```chuandao
      #| id: ladder
      #| warning: false
      chuandao chart ladder \(CLI.sample)
      ```
      """)
    // A first run writes the outputs; copied back, the notebook checks clean.
    let first = try CLI.run(["notebook", "run", nb, "--out", folder + "/run1"])
    #expect(first.status == 0, "\(first.stderr)")
    let current = try String(contentsOfFile: folder + "/run1/nb.md", encoding: .utf8)
    try current.write(toFile: nb, atomically: true, encoding: .utf8)
    try FileManager.default.copyItem(atPath: folder + "/run1/nb_files", toPath: folder + "/nb_files")
    let clean = try CLI.run(["notebook", "run", nb, "--out", folder + "/run2", "--check"])
    #expect(clean.status == 0, "\(clean.stderr)")
    #expect(clean.stderr.contains("the outputs of 2 blocks match the file"))
    #expect(try String(contentsOfFile: folder + "/run2/nb.md", encoding: .utf8) == current, "a notebook is a fixed point of its run")

    // The summary's node count, changed by hand: found at its own line.
    var lines = current.components(separatedBy: "\n")
    let row = try #require(lines.firstIndex { $0.contains("115") })
    lines[row] = lines[row].replacingOccurrences(of: "115", with: "116")
    try lines.joined(separator: "\n").write(toFile: nb, atomically: true, encoding: .utf8)
    let stale = try CLI.run(["notebook", "run", nb, "--out", folder + "/run3", "--check"])
    #expect(stale.status == 1)
    #expect(stale.stderr.hasPrefix("\(nb):\(row + 1): error: the output differs from a fresh run"), "\(stale.stderr)")
    #expect(try String(contentsOfFile: folder + "/run3/nb.md", encoding: .utf8) == current, "the run still writes the current outputs")

    // The chart beside the notebook, changed: found at its link.
    try current.write(toFile: nb, atomically: true, encoding: .utf8)
    try "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".write(toFile: folder + "/nb_files/ladder.svg", atomically: true, encoding: .utf8)
    let chart = try CLI.run(["notebook", "run", nb, "--out", folder + "/run4", "--check"])
    #expect(chart.status == 1)
    let link = try #require(lines.firstIndex { $0.contains("](nb_files/ladder.svg)") })
    #expect(chart.stderr.hasPrefix("\(nb):\(link + 1): error: the output differs"), "\(chart.stderr)")
  }

  @Test("never writes over the notebook, whose outputs are refreshed by copying them back")
  func neverOverTheNotebook() throws {
    let (folder, nb) = try Self.write("# T\n\n```chuandao\nchuandao summary \(CLI.sample)\n```\n")
    let before = try String(contentsOfFile: nb, encoding: .utf8)
    let r = try CLI.run(["notebook", "run", nb, "--out", folder, "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("refusing to write"), "\(r.stderr)")
    #expect(try String(contentsOfFile: nb, encoding: .utf8) == before)
  }

  @Test("blocks run in the notebook's folder: a relative dataset path is the notebook's")
  func relativePaths() throws {
    let (folder, nb) = try Self.write("```chuandao\n#| warning: false\nchuandao summary sample --format csv\n```\n")
    try FileManager.default.createSymbolicLink(atPath: folder + "/sample", withDestinationPath: CLI.sample)
    let elsewhere = try CLI.temporaryDirectory()
    let r = try CLI.run(["notebook", "run", nb, "--out", "out"], directory: URL(fileURLWithPath: elsewhere))
    #expect(r.status == 0, "\(r.stderr)")
    // --out is the caller's: relative to where the command ran, not to the notebook.
    let text = try String(contentsOfFile: elsewhere + "/out/nb.md", encoding: .utf8)
    #expect(text.contains("```csv\nperiod,"), "\(text)")
  }
}
