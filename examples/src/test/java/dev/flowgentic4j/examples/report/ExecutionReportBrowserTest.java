package dev.flowgentic4j.examples.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.integration.ExecutionReport;
import dev.flowgentic4j.integration.ScriptedRun;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Opens the report of the scripted run in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}), from disk: the graph and the timeline are drawn and visible, and the
 * browser console has no errors. A screenshot goes to {@code target/report-screenshot.png}. Skipped,
 * saying why, where no browser or driver is installed.
 */
class ExecutionReportBrowserTest {
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("flowgentic4j.chromedriver", "/usr/bin/chromedriver"));
    private static final Path CHROMIUM = Path.of(System.getProperty("flowgentic4j.chromium", "/usr/bin/chromium"));

    @Test
    void the_html_report_draws_the_graph_and_the_timeline_without_console_errors() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "no browser: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing (apt-get install chromium chromium-driver)");
        Path dir = Path.of("target", "browser-report");
        ExecutionReport report = ScriptedRun.run(dir).report();   // integration's scripted run

        Path profile = Files.createTempDirectory("flowgentic4j-chromium-");
        WebDriver driver = startBrowser(profile);
        try {
            driver.get(report.html().toUri().toString());

            WebElement graph = driver.findElement(By.id("graph"));
            WebElement timeline = driver.findElement(By.id("timeline"));
            assertThat(graph.isDisplayed()).isTrue();
            assertThat(timeline.isDisplayed()).isTrue();
            assertThat(graph.getSize().getWidth()).isGreaterThan(100);
            assertThat(timeline.getSize().getHeight()).isGreaterThan(100);
            List<WebElement> visited = driver.findElements(By.cssSelector("#graph g.node.visited"));
            assertThat(visited).hasSize(3).allSatisfy(n -> assertThat(n.isDisplayed()).isTrue());
            assertThat(driver.findElements(By.cssSelector("#graph g.node.unvisited"))).hasSize(1);
            assertThat(driver.findElements(By.cssSelector("#graph path.edge"))).hasSizeGreaterThanOrEqualTo(5);
            List<WebElement> calls = driver.findElements(By.cssSelector("#timeline rect.bar.call"));
            assertThat(calls).hasSize(8).allSatisfy(bar -> {
                assertThat(bar.isDisplayed()).isTrue();
                assertThat(bar.getSize().getWidth()).isGreaterThan(0);
            });
            assertThat(driver.findElements(By.cssSelector("#timeline rect.bar.life"))).hasSize(2);
            assertThat(driver.findElement(By.id("never-visited")).getText()).isEqualTo("apologise");

            List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertThat(severe).as("browser console errors").isEmpty();

            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Path target = Path.of("target", "report-screenshot.png");
            Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(target)).isGreaterThan(1000);
        } finally {
            driver.quit();
            deleteRecursively(profile);
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static WebDriver startBrowser(Path profile) throws Exception {
        System.setProperty("SE_OFFLINE", "true"); // never let Selenium Manager download anything
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,1600", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30))
                .build();
        try {
            return new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteRecursively(profile);
            Assumptions.abort("the browser could not be started: " + e.getMessage().lines().findFirst().orElse(""));
            throw e;
        }
    }
}
