import Foundation
import Testing
import _ChuandaoOutput

@testable import Chuandao

/// `chuandao report`: the files it writes, what the HTML may and may not hold, and that
/// its figures are the commands' own.
@Suite("chuandao report")
struct ReportTests {
  struct Written {
    var folder: String
    var html: String
    var markdown: String
    var results: JSON
    var charts: [String]
    var stdout: String
  }

  static func report(_ dataset: String, lang: String) throws -> Written {
    let dir = try CLI.temporaryDirectory()
    let out = dir + "/report"  // missing: report makes it
    let r = try CLI.run(["report", dataset, "--out", out, "--lang", lang])
    #expect(r.status == 0, "report: \(r.stderr)")
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
    let results = try JSON.parse(try String(contentsOfFile: out + "/results.json", encoding: .utf8))
    let charts = try FileManager.default.contentsOfDirectory(atPath: out + "/charts").sorted()
    return Written(folder: out, html: html, markdown: markdown, results: results, charts: charts, stdout: r.out)
  }

  static func attenuationJSON() throws -> JSON {
    let r = try CLI.run(["attenuation", CLI.sample, "--format", "json"])
    #expect(r.status == 0)
    return try JSON.parse(r.out)
  }

  @Test("writes the four outputs and prints the path of report.html", arguments: ["zh", "en"])
  func files(_ lang: String) throws {
    let w = try Self.report(CLI.sample, lang: lang)
    defer { try? FileManager.default.removeItem(atPath: (w.folder as NSString).deletingLastPathComponent) }
    #expect(w.stdout == w.folder + "/report.html\n")
    #expect(!w.charts.isEmpty)
    for name in ["ladder", "retention-by-year", "funnel-unit", "funnel-branch", "domain-coverage", "icicle",
                 "silo-subjects", "closure-funnel", "trends", "rank-bands"] {
      #expect(w.charts.contains(name + ".svg"), "no chart \(name).svg")
    }
  }

  @Test("report.html is self-contained: lang, no script, no URL, every SVG scales", arguments: ["zh", "en"])
  func html(_ lang: String) throws {
    let w = try Self.report(CLI.sample, lang: lang)
    defer { try? FileManager.default.removeItem(atPath: (w.folder as NSString).deletingLastPathComponent) }
    #expect(w.html.hasPrefix("<!DOCTYPE html>"))
    #expect(w.html.contains("<html lang=\"\(lang == "zh" ? "zh-CN" : "en")\">"))
    #expect(!w.html.lowercased().contains("<script"))
    #expect(!w.html.contains("http://"))
    #expect(!w.html.contains("https://"))
    #expect(!w.html.contains("<link"))
    #expect(!w.html.contains("<img"))
    #expect(w.html.contains("\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", sans-serif"))
    #expect(w.html.contains("@page { size: A4; margin: 18mm; }"))
    #expect(w.html.contains("break-inside: avoid"))
    let svgs = w.html.components(separatedBy: "<svg").dropFirst()
    #expect(svgs.count == w.charts.count)
    for svg in svgs {
      let tag = svg.prefix { $0 != ">" }
      #expect(tag.contains("viewBox=\""), "an <svg> without viewBox: \(tag)")
    }
  }

  @Test("the key figures are the commands' own", arguments: ["zh", "en"])
  func figures(_ lang: String) throws {
    let w = try Self.report(CLI.sample, lang: lang)
    defer { try? FileManager.default.removeItem(atPath: (w.folder as NSString).deletingLastPathComponent) }
    let attenuation = try Self.attenuationJSON()
    let steps = try #require(attenuation["steps"]?.arrayValue)
    for step in steps {
      let tau = try #require(step["tau"]?.doubleValue)
      #expect(w.html.contains(String(format: "%.4f", tau)), "tau \(tau) not in the report")
      #expect(w.markdown.contains(String(format: "%.4f", tau)))
    }
    let end = try #require(attenuation["end_retention"]?.doubleValue)
    #expect(w.html.contains(String(format: "%.1f%%", 100 * end)), "end retention \(end) not in the summary")

    // results.json: every analysis under its command name, each with provenance; the
    // attenuation steps equal the command's.
    for key in ["summary", "attenuation", "imbalance", "coordination", "closure", "trend", "assess", "compare"] {
      #expect(w.results[key] != nil, "results.json has no \(key)")
    }
    for key in ["attenuation", "coordination", "closure", "trend", "assess", "compare"] {
      #expect(w.results[key]?["provenance"]?["inputs"] != nil, "\(key) has no provenance")
    }
    #expect(w.results["imbalance"]?["branch"]?["provenance"] != nil)
    #expect(w.results["imbalance"]?["unit"] != nil)
    let reported = try #require(w.results["attenuation"]?["steps"]?.arrayValue)
    #expect(reported.count == steps.count)
    for (a, e) in zip(reported, steps) {
      let problems = Self.compare(a, e, path: "steps")
      #expect(problems.isEmpty, "\(problems.prefix(3))")
    }
  }

  @Test("report.md links every chart it wrote, and only those", arguments: ["zh", "en"])
  func markdownLinks(_ lang: String) throws {
    let w = try Self.report(CLI.sample, lang: lang)
    defer { try? FileManager.default.removeItem(atPath: (w.folder as NSString).deletingLastPathComponent) }
    for chart in w.charts {
      #expect(w.markdown.contains("](charts/\(chart))"), "report.md does not link \(chart)")
    }
    let linked = w.markdown.components(separatedBy: "](charts/").dropFirst().map { String($0.prefix { $0 != ")" }) }
    #expect(Set(linked) == Set(w.charts))
  }

  @Test("a dataset without problems.csv and supervision.csv: sections say why, no empty charts", arguments: ["zh", "en"])
  func missingInputs(_ lang: String) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let dataset = dir + "/partial"
    try FileManager.default.createDirectory(atPath: dataset, withIntermediateDirectories: false)
    for file in try FileManager.default.contentsOfDirectory(atPath: CLI.sample)
    where !["problems.csv", "supervision.csv", "projects.csv", "responsibilities.csv"].contains(file) {
      try FileManager.default.copyItem(atPath: CLI.sample + "/" + file, toPath: dataset + "/" + file)
    }
    let w = try Self.report(dataset, lang: lang)
    if lang == "zh" {
      #expect(w.markdown.contains("数据集没有 problems.csv，无法分析三张清单闭环。"))
      #expect(w.markdown.contains("数据集没有 supervision.csv，无法分析监督冷热。"))
    } else {
      #expect(w.markdown.contains("The dataset has no problems.csv, so the closed loop of the three lists cannot be analysed."))
      #expect(w.markdown.contains("The dataset has no supervision.csv, so cold and hot supervision cannot be analysed."))
    }
    #expect(!w.charts.contains("closure-funnel.svg"))
    #expect(!w.charts.contains { $0.hasPrefix("funnel-") })
    #expect(!w.charts.contains("domain-coverage.svg"))
    #expect(!w.charts.contains("icicle.svg"))
    #expect(w.charts.contains("ladder.svg"))
    #expect(w.results["closure"] == nil)
    #expect(w.results["imbalance"] == nil)
    #expect(!w.html.contains("https://") && !w.html.contains("http://"))
  }

  @Test("one period only: no comparison, no trends, and the summary says so")
  func onePeriod() throws {
    let w = try Self.report(CLI.sample, lang: "en", period: "2021")
    defer { try? FileManager.default.removeItem(atPath: (w.folder as NSString).deletingLastPathComponent) }
    #expect(w.markdown.contains("the dataset has no earlier period"))
    #expect(w.markdown.contains("The dataset has no period before 2021, so there is nothing to follow over time."))
    #expect(!w.charts.contains("trends.svg"))
    #expect(!w.charts.contains("retention-by-year.svg"))
    #expect(w.results["compare"] == nil)
  }

  @Test("--out whose parent is missing is a usage error")
  func missingParent() throws {
    let r = try CLI.run(["report", CLI.sample, "--out", "/nonexistent-chuandao/a/b", "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("cannot create the folder"))
  }

  static func compare(_ a: JSON, _ e: JSON, path: String) -> [String] {
    switch (a, e) {
    case (.object(let x), .object(let y)):
      guard x.keys.map({ $0 }) == y.keys.map({ $0 }) else { return ["\(path): keys differ"] }
      return x.keys.flatMap { compare(x[$0]!, y[$0]!, path: "\(path).\($0)") }
    case (.array(let x), .array(let y)):
      guard x.count == y.count else { return ["\(path): \(x.count) vs \(y.count) elements"] }
      return x.indices.flatMap { compare(x[$0], y[$0], path: "\(path)[\($0)]") }
    default:
      if let u = a.doubleValue, let v = e.doubleValue {
        return abs(u - v) <= 1e-12 * max(abs(v), 1) ? [] : ["\(path): \(u) vs \(v)"]
      }
      return a == e ? [] : ["\(path): \(a) vs \(e)"]
    }
  }
}

extension ReportTests {
  static func report(_ dataset: String, lang: String, period: String) throws -> Written {
    let dir = try CLI.temporaryDirectory()
    let out = dir + "/report"
    let r = try CLI.run(["report", dataset, "--out", out, "--lang", lang, "--period", period])
    #expect(r.status == 0, "report: \(r.stderr)")
    let results = try JSON.parse(try String(contentsOfFile: out + "/results.json", encoding: .utf8))
    return Written(
      folder: out, html: try String(contentsOfFile: out + "/report.html", encoding: .utf8),
      markdown: try String(contentsOfFile: out + "/report.md", encoding: .utf8), results: results,
      charts: try FileManager.default.contentsOfDirectory(atPath: out + "/charts").sorted(), stdout: r.out)
  }
}

@Suite("chuandao report --timings")
struct ReportTimingsTests {
  @Test("the analyses row is the sum of its analyses, each named")
  func analysesBreakdown() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["report", CLI.sample, "--out", dir + "/r", "--lang", "en", "--timings"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stderr.split(separator: "\n").map(String.init)
    // "analyses   0.55   33.3%", then indented rows until the next stage.
    let start = try #require(lines.firstIndex { $0.hasPrefix("analyses ") })
    let seconds = { (line: String) -> Double? in
      let fields = line.split(separator: " ")
      return fields.count >= 2 ? Double(fields[fields.count - 2]) : nil
    }
    let total = try #require(seconds(lines[start]))
    let parts = lines[(start + 1)...].prefix { $0.hasPrefix("  ") }
    let names = parts.map { String($0.dropFirst(2).prefix { $0 != " " }) }
    for name in ["vertical", "cold", "coordination", "closed", "over", "assessment"] {
      #expect(names.contains { $0.hasPrefix(name) }, "no row for \(name) in \(names)")
    }
    let sum = parts.compactMap(seconds).reduce(0, +)
    // Each row is rounded to 0.01 s.
    #expect(abs(sum - total) <= 0.005 * Double(parts.count + 1), "rows sum to \(sum), analyses \(total)")
  }
}
