import Foundation
import Testing

/// report.html and the notebooks' pages in a real headless Chromium (Debian's `chromium`,
/// installed by `make test` with `fonts-noto-cjk`): they load without fetching anything or
/// a console message, and draw a page.
@Suite("report.html in headless Chromium")
struct BrowserTests {
  static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  /// Runs Chromium headless on `page` with the browser's own background services off and a
  /// fresh profile, writing a screenshot and a network log into `dir`; returns the PNG, the
  /// URLs of the network log and the page's console messages (Chromium's log on stderr
  /// names them `CONSOLE`).
  static func open(_ page: String, in dir: String) throws -> (png: Data, urls: [String], console: [String]) {
    let browser = try #require(chromium, "headless Chromium is missing: run `make test`, which installs it")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: browser)
    p.arguments = [
      "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir)/profile",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-default-apps", "--no-first-run", "--disable-client-side-phishing-detection",
      "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
      "--log-net-log=\(dir)/net.json", "--window-size=1000,1400", "--enable-logging=stderr", "--v=0",
      "--screenshot=\(dir)/page.png", "file://\(page)",
    ]
    p.standardOutput = FileHandle.nullDevice
    let err = Pipe()
    p.standardError = err
    try p.run()
    let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    let console = log.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    #expect(p.terminationStatus == 0)
    let net = try String(contentsOfFile: "\(dir)/net.json", encoding: .utf8)
    let pattern = try NSRegularExpression(pattern: "\"url\":\"([^\"]*)\"")
    let urls = pattern.matches(in: net, range: NSRange(net.startIndex..., in: net)).map {
      String(net[Range($0.range(at: 1), in: net)!])
    }
    return (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/page.png")), urls, console)
  }

  /// Requests the page itself made: Chromium's own services (update checks, time, account
  /// list) keep talking to Google's hosts even with background networking off, so those
  /// hosts are not the page's doing.
  static func pageRequests(_ urls: [String]) -> [String] {
    let browserHosts = ["google.com", "googleapis.com", "gvt1.com", "gstatic.com"]
    return urls.filter { url in
      guard let host = URL(string: url)?.host else { return !url.hasPrefix("file:") && !url.hasPrefix("data:") }
      return !browserHosts.contains { host == $0 || host.hasSuffix("." + $0) }
    }
  }

  @Test("the sample's report loads with no request and draws a page, in zh and en", arguments: ["zh", "en"])
  func report(lang: String) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["report", CLI.sample, "--out", dir + "/report", "--lang", lang])
    #expect(r.status == 0, "\(r.stderr)")
    let (png, urls, console) = try Self.open(dir + "/report/report.html", in: dir)
    #expect(Self.pageRequests(urls).isEmpty, "the page requested \(Self.pageRequests(urls))")
    #expect(console.isEmpty, "console: \(console)")
    // Not blank: an empty page of this size is about 7 KB of PNG; the report's first
    // screen, with its text and a chart, about 180 KB.
    #expect(png.count > 50_000, "screenshot of \(png.count) bytes")
    // The CJK font of the page's stack is there for the browser to draw Chinese with.
    let match = Process()
    match.executableURL = URL(fileURLWithPath: "/usr/bin/fc-match")
    match.arguments = ["Noto Sans CJK SC"]
    let pipe = Pipe()
    match.standardOutput = pipe
    try match.run()
    let font = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    match.waitUntilExit()
    #expect(font.contains("NotoSansCJK"), "fc-match gives \(font)")
    let html = try String(contentsOfFile: dir + "/report/report.html", encoding: .utf8)
    #expect(html.contains("\"Noto Sans CJK SC\""))
  }

  @Test("a notebook's page loads with no request and no console message, and draws its charts", arguments: ["03-cold-and-hot.md", "en/03-cold-and-hot.md"])
  func notebook(_ name: String) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let notebook = CLI.repository.appendingPathComponent("notebooks-md/" + name).path
    let r = try CLI.run(["notebook", "run", notebook, "--out", dir + "/nb"])
    #expect(r.status == 0, "\(r.stderr)")
    let (png, urls, console) = try Self.open(dir + "/nb/03-cold-and-hot.html", in: dir)
    #expect(Self.pageRequests(urls).isEmpty, "the page requested \(Self.pageRequests(urls))")
    #expect(console.isEmpty, "console: \(console)")
    #expect(png.count > 50_000, "screenshot of \(png.count) bytes")
  }

  @Test("the check can fail: a page with an external image, or a console error, is caught")
  func catchesARequest() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "<html><body><img src=\"http://example.com/x.png\"><script>console.error('boom')</script></body></html>".write(
      toFile: dir + "/bad.html", atomically: true, encoding: .utf8)
    let (_, urls, console) = try Self.open(dir + "/bad.html", in: dir)
    #expect(Self.pageRequests(urls).contains("http://example.com/x.png"))
    #expect(console.contains { $0.contains("\"boom\"") }, "console: \(console)")
  }
}
