"""The HTML report: its numbers against main_load.py's, its snapshots, its size, and the page in a browser.

The browser tests open the page in headless Chromium (Debian's ``chromium``
package, driven through the DevTools protocol by ``tests/browser.py``) and
skip when /usr/bin/chromium is missing.
"""

import base64
import json
import re
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from browser import CHROMIUM, Browser
from main_create_and_train import SETTINGS, build_network
from src.datasets import load_dataset, save_dataset
from src.evaluation import measure_model
from src.layer import Layer
from src.neural_network import NeuralNet
from src.pictures.colours import NEGATIVE, POSITIVE
from src.pictures.animation import Snapshots
from src.pictures.neurons import plane_tiles
from src.pictures.png import read_png
from src.problems import Problem, get_problem
from src.report import MAP_SIZE, MAX_SNAPSHOTS, PAGE_BUDGET, Scene, write_report

ROOT = Path(__file__).resolve().parent.parent
EPOCHS = 3


def script(name, *args, cwd):
    return subprocess.run([sys.executable, str(ROOT / name), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A quadrant model trained for a few epochs with --report, and main_load.py's output on it."""
    folder = tmp_path_factory.mktemp("report")
    problem = get_problem("quadrant")
    save_dataset(folder / "data.json", *problem.generator.generate(30, seed=5), problem)
    result = script("main_create_and_train.py", "--problem", "quadrant", "--data", "data.json",
                    "--model", "model.json", "--epochs", EPOCHS, "--learning-rate", 0.002,
                    "--report", "train.html", "--quiet", cwd=folder)
    assert result.returncode == 0, result.stderr
    load = script("main_load.py", "--problem", "quadrant", "--model", "model.json", "--data", "data.json",
                  "--report", "load.html", cwd=folder)
    assert load.returncode == 0, load.stderr
    return folder, load.stdout


def page_data(path):
    """The JSON the page's script reads."""
    text = Path(path).read_text()
    return json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>',
                                text, re.S).group(1))


def png_of(data_uri, tmp_path):
    """The pixels of a PNG data URI, read with the project's own reader."""
    assert data_uri.startswith("data:image/png;base64,")
    path = Path(tmp_path) / "image.png"
    path.write_bytes(base64.b64decode(data_uri.split(",", 1)[1]))
    return read_png(path)


# --- the numbers: the page against main_load.py ---

def text_measurements(stdout, class_names):
    """Accuracy, counts, confusion matrix and per-class scores per section of main_load.py's output."""
    sections, current = [], None
    for line in stdout.splitlines():
        heading = re.match(r"^(data file .*|fresh samples .*): accuracy ([\d.]+) % \(([\d,]+) of ([\d,]+) "
                           r"right, ([\d,]+) wrong\)$", line)
        if heading:
            current = {"title": heading.group(1), "accuracy": heading.group(2),
                       "counts": [heading.group(i).replace(",", "") for i in (3, 4, 5)],
                       "matrix": [], "scores": []}
            sections.append(current)
            continue
        if current is None:
            continue
        stripped = line.strip()
        for name in class_names:
            if stripped.startswith(f"true {name} "):
                current["matrix"].append(stripped[len(f"true {name}"):].replace(",", "").split())
            elif re.fullmatch(rf"{re.escape(name)}(\s+[\d.]+){{3}}", stripped):
                current["scores"].append(stripped[len(name):].split())
    return sections


class MeasurementParser(HTMLParser):
    """The same per ``article.measurement`` of the page: its title, accuracy line and table cells."""

    def __init__(self):
        super().__init__()
        self.articles, self._stack, self._text = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "measurement" in attrs.get("class", ""):
            self.articles.append({"title": "", "accuracy": "", "tables": {}})
        if not self.articles or self._stack is None:
            return
        if tag == "table":
            self._table = attrs.get("class")
            self.articles[-1]["tables"][self._table] = []
        elif tag == "tr":
            self.articles[-1]["tables"][self._table].append([])
        elif tag in ("h3", "p", "td", "th"):
            self._text = (tag, [])

    def handle_data(self, data):
        if self._text is not None:
            self._text[1].append(data)

    def handle_endtag(self, tag):
        if self._text is None or tag != self._text[0]:
            return
        text = "".join(self._text[1]).strip()
        article = self.articles[-1]
        if tag == "h3":
            article["title"] = text
        elif tag == "p":
            article["accuracy"] = text
        else:
            article["tables"][self._table][-1].append(text)
        self._text = None


def page_measurements(path):
    parser = MeasurementParser()
    parser.feed(Path(path).read_text())
    sections = []
    for article in parser.articles:
        if "confusion" not in article["tables"]:
            continue
        heading = re.fullmatch(r"accuracy ([\d.]+) % \(([\d,]+) of ([\d,]+) right, ([\d,]+) wrong\)",
                               article["accuracy"])
        sections.append({
            "title": article["title"], "accuracy": heading.group(1),
            "counts": [heading.group(i).replace(",", "") for i in (2, 3, 4)],
            "matrix": [[cell.replace(",", "") for cell in row[1:]] for row in article["tables"]["confusion"][1:]],
            "scores": [row[1:] for row in article["tables"]["scores"][1:]]})
    return sections


def test_pages_show_the_numbers_main_load_prints(trained):
    folder, stdout = trained
    names = get_problem("quadrant").class_names
    printed = text_measurements(stdout, names)
    assert [s["title"].split()[0] for s in printed] == ["data", "fresh"]
    assert all(len(s["matrix"]) == 4 and len(s["scores"]) == 4 for s in printed)
    assert float(printed[1]["accuracy"]) < 100, "a model this short-trained should make mistakes"
    for page in ("train.html", "load.html"):
        assert page_measurements(folder / page) == printed, page


def test_a_regression_page_shows_the_errors_main_load_prints(tmp_path):
    result = script("main_load.py", "--problem", "linear_regression", "--fresh", 2000,
                    "--report", tmp_path / "page.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    printed = []
    for line in result.stdout.splitlines():
        found = re.fullmatch(r"(.*): MAE ([\d.]+) k\$, MSE ([\d.]+), RMSE ([\d.]+) k\$, R² ([\d.-]+)", line)
        if found:
            printed.append([found.group(i) for i in range(2, 6)])
        definition = re.fullmatch(r"  the definition itself scores: RMSE ([\d.]+) k\$, R² ([\d.-]+) .*", line)
        if definition:
            printed.append([definition.group(1), definition.group(2)])
    parser = MeasurementParser()
    parser.feed((tmp_path / "page.html").read_text())
    shown = []
    for article in parser.articles:
        rows = article["tables"]["regression"][1:]
        for row in rows[:2]:
            shown.append([row[1].removesuffix(" k$"), row[2], row[3].removesuffix(" k$"), row[4]])
        shown.append([rows[2][3].removesuffix(" k$"), rows[2][4]])
    assert len(printed) == 6 and shown == printed


def test_the_report_leaves_the_model_file_as_without_it(trained, tmp_path):
    folder, _ = trained
    again = script("main_create_and_train.py", "--problem", "quadrant", "--data", folder / "data.json",
                   "--model", tmp_path / "plain.json", "--epochs", EPOCHS, "--learning-rate", 0.002,
                   "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "plain.json").read_bytes() == (folder / "model.json").read_bytes()


def test_the_page_asks_for_nothing_outside_itself(trained):
    folder, _ = trained
    for page in ("train.html", "load.html"):
        text = (folder / page).read_text()
        assert "Content-Security-Policy\" content=\"default-src 'none'; img-src data:" in text
        for attribute in re.findall(r'\b(?:src|href)="([^"]*)"', text):
            assert attribute.startswith("data:"), attribute
        outside = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text))
        assert outside <= {"http://www.w3.org/2000/svg"}, outside  # the SVG namespace is a name, not a request
        assert "@import" not in text and "url(" not in text


def test_snapshots_run_from_the_first_weights_to_the_saved_ones(trained):
    folder, _ = trained
    snapshots = page_data(folder / "train.html")["snapshots"]
    epochs = [s["epoch"] for s in snapshots]
    assert epochs[0] == 0 and epochs[-1] == EPOCHS and len(epochs) == MAX_SNAPSHOTS
    assert all(a < b for a, b in zip(epochs, epochs[1:]))
    settings = dict(SETTINGS["quadrant"], epochs=EPOCHS)
    first = build_network(get_problem("quadrant"), settings, settings["seed"])
    saved = NeuralNet().load(folder / "model.json")
    for snapshot, net in ((snapshots[0], first), (snapshots[-1], saved)):
        weights = np.concatenate([layer.weights.ravel() for layer in net.layers[1:]])
        np.testing.assert_allclose(snapshot["weights"], weights, rtol=6e-4, atol=1e-12)
    assert snapshots[0]["weights"] != snapshots[1]["weights"]
    assert len(page_data(folder / "load.html")["snapshots"]) == 1
    assert 'id="epoch"' not in (folder / "load.html").read_text()


def test_continued_training_reports_its_own_epochs(trained, tmp_path):
    folder, _ = trained
    result = script("main_continue_training.py", "--problem", "quadrant", "--model", folder / "model.json",
                    "--data", folder / "data.json", "--epochs", 2, "--output", tmp_path / "more.json",
                    "--report", tmp_path / "more.html", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    epochs = [s["epoch"] for s in page_data(tmp_path / "more.html")["snapshots"]]
    assert epochs[0] == EPOCHS and epochs[-1] == EPOCHS + 2
    text = (tmp_path / "more.html").read_text()
    assert f'data-last-epoch="{EPOCHS + 2}"' in text and "main_continue_training.py" in text


@pytest.mark.parametrize("args", [("--report", "page.png"), ("--all", "--report", "page.html")])
def test_bad_report_arguments_are_usage_errors(args, tmp_path):
    result = script("main_create_and_train.py", *args, cwd=tmp_path)
    assert result.returncode == 2 and "--report" in result.stderr


def test_an_image_problem_maps_its_first_layer_weights_as_images():
    problem = Problem("tiny_images", "none.json", "Input_Values", "Output_Values", ("p1", "p2", "p3", "p4"),
                      ("a", "b"), (0,) * 4, (1,) * 4, image_shape=(2, 2))
    net = NeuralNet()
    net.add_layer(Layer(4, 4, "input"))
    net.add_layer(Layer(4, 3, "hidden", "tanh", rng=np.random.default_rng(0)))
    net.add_layer(Layer(3, 2, "output", "softmax", rng=np.random.default_rng(1)))
    net.layers[1].weights[...] = [[1, 0, 0, -1], [0, 0.5, 0, 0], [0, 0, 0, 0]]
    maps, notes = Scene(net, problem).neuron_maps(net)
    assert maps[1] is None and "2 x 2 input pixels" in notes[0]
    first = maps[0][0]  # blocks of 4 x 4 pixels: full blue at the top left, full orange at the bottom right
    assert first.shape == (8, 8, 3)
    assert tuple(first[0, 0]) == tuple(POSITIVE) and tuple(first[7, 7]) == tuple(NEGATIVE)
    assert tuple(first[0, 7]) == (255, 255, 255) and tuple(maps[0][2][3, 3]) == (255, 255, 255)


def noisy_snapshots(net, epochs, seed=0):
    """Snapshots of ``net`` as if its last ``epochs`` epochs had moved it from noisy weights to its own."""
    final = net.parameter_vector().copy()
    noise = np.random.default_rng(seed).normal(0, 0.3, final.shape)
    first = len(net.training_record["history"]) - epochs
    net.parameter_vector()[...] = final + noise
    snapshots = Snapshots(net, epochs, 1, first_epoch=first, min_frames=epochs)  # one per epoch
    for epoch in range(1, epochs + 1):
        net.parameter_vector()[...] = final + noise * (1 - epoch / epochs)
        snapshots.after_epoch({"epoch": first + epoch})
    return snapshots


@pytest.mark.parametrize("name", ["checkerboard", "red"])
def test_two_snapshots_of_the_largest_shipped_models_fit_the_budget(name, tmp_path):
    """Checkerboard has the most weights and neurons, red the largest pictures.

    Since the page drops snapshots until it fits in PAGE_BUDGET (next test),
    every page stays under 3 MB when the first and the last snapshot fit.
    """
    problem = get_problem(name)
    net = NeuralNet().load(problem.model_path)
    snapshots = noisy_snapshots(net, 1)
    measurements = measure_model(net, problem, problem.data_path, 100, 1, whole_cube=False)
    size = write_report(tmp_path / "page.html", net, problem, measurements, snapshots)
    last = len(net.training_record["history"])
    assert [s["epoch"] for s in page_data(tmp_path / "page.html")["snapshots"]] == [last - 1, last]
    assert size == (tmp_path / "page.html").stat().st_size
    assert size <= PAGE_BUDGET / 2 and PAGE_BUDGET < 3_000_000


def test_a_page_drops_snapshots_evenly_until_it_fits(tmp_path, monkeypatch):
    problem = get_problem("quadrant")
    net = NeuralNet().load(problem.model_path)
    measurements = measure_model(net, problem, problem.data_path, 100, 1, whole_cube=False)
    epochs = len(net.training_record["history"])
    full = write_report(tmp_path / "full.html", net, problem, measurements, noisy_snapshots(net, epochs))
    assert len(page_data(tmp_path / "full.html")["snapshots"]) == epochs + 1 <= MAX_SNAPSHOTS
    monkeypatch.setattr("src.report.PAGE_BUDGET", full // 2)
    net = NeuralNet().load(problem.model_path)
    size = write_report(tmp_path / "half.html", net, problem, measurements, noisy_snapshots(net, epochs))
    shown = [s["epoch"] for s in page_data(tmp_path / "half.html")["snapshots"]]
    assert size <= full // 2 and 2 <= len(shown) < epochs + 1
    assert shown[0] == 0 and shown[-1] == epochs and max(np.diff(shown)) - min(np.diff(shown)) <= 1


def test_the_readme_shows_a_small_screenshot_made_by_its_command():
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"^chromium --headless .*--window-size=(\d+),(\d+) --screenshot=(\S+) (\S+)$",
                        readme, re.M)
    assert command and f"]({command.group(3)})" in readme
    assert f"--report {command.group(4)}" in readme  # the page it shot is the one the line above made
    data = (ROOT / command.group(3)).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 300_000
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (int(command.group(1)), int(command.group(2)))


# --- in a browser ---

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason=f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
LAPTOP, PHONE = (1280, 800), (390, 844)


@pytest.fixture(scope="module")
def page(trained):
    with Browser() as browser:
        tab = browser.new_page(*LAPTOP)
        tab.open(trained[0] / "train.html")
        yield tab


def box(tab, selector, scroll=False):
    """[left, top, width, height] of the element in the viewport (scrolled into view first, if asked)."""
    element = f"document.querySelector({json.dumps(selector)})"
    if scroll:
        tab.evaluate(f"{element}.scrollIntoView({{block: 'center'}})")
    return tab.evaluate(f"(() => {{ const r = {element}.getBoundingClientRect(); "
                        "return [r.left, r.top, r.width, r.height]; })()")


@needs_chromium
def test_the_page_loads_without_errors_or_requests(page, trained):
    assert page.problems() == []
    page_url = (trained[0] / "train.html").resolve().as_uri()
    requests = page.requested_urls()
    assert page_url in requests
    assert all(url == page_url or url.startswith("data:") for url in requests), requests
    assert page.evaluate("document.querySelectorAll('#network .edges line').length") == 2 * 8 + 8 * 4


@needs_chromium
def test_the_slider_shows_each_epochs_regions_and_marks_it(page, trained, tmp_path):
    folder, _ = trained
    snapshots = page_data(folder / "train.html")["snapshots"]
    page.evaluate("document.getElementById('epoch').focus()")
    page.key("Home", "Home", 36)
    assert page.evaluate("document.getElementById('regions').dataset.epoch") == "0"
    assert snapshots[0]["regions"] != snapshots[-1]["regions"]
    assert page.evaluate("document.getElementById('regions').src") == snapshots[0]["regions"]
    assert page.evaluate("document.getElementById('epoch-label').textContent") == "0"
    page.key("End", "End", 35)
    assert page.evaluate("document.getElementById('epoch-label').textContent") == str(EPOCHS)
    shown = png_of(page.evaluate("document.getElementById('regions').src"), tmp_path)
    problem = get_problem("quadrant")
    points, targets = load_dataset(folder / "data.json", problem)
    net = NeuralNet().load(folder / "model.json")
    final = Scene(net, problem, points, targets).regions(net)
    assert shown.shape == final.shape and np.array_equal(shown, final)
    assert page.evaluate("document.getElementById('regions').offsetWidth") > 200
    # the marker sits on the last point of the cost curve
    marker = page.evaluate("document.querySelector('#cost-chart .marker').getAttribute('x1')")
    last_point = page.evaluate("document.querySelector('#cost-chart .series').getAttribute('points')"
                               ".trim().split(' ').pop().split(',')[0]")
    assert float(marker) == pytest.approx(float(last_point), abs=0.11)
    # and a weight's title gives the saved value
    title = page.evaluate("document.querySelector('#network .edges line title').textContent")
    saved = NeuralNet().load(folder / "model.json").layers[1].weights[0, 0]
    assert title.startswith("weight ") and title.endswith(": x to hidden 1 neuron 1")
    assert float(title.split()[1].rstrip(":")) == pytest.approx(saved, rel=6e-4)


@needs_chromium
def test_pointing_at_or_selecting_a_neuron_shows_its_map(page, trained, tmp_path):
    folder, _ = trained
    net = NeuralNet().load(folder / "model.json")
    problem = get_problem("quadrant")

    def tile(layer, neuron):
        return plane_tiles(net, layer, problem.input_low, problem.input_high, MAP_SIZE)[0][neuron]

    page.key("End", "End", 35)
    x, y, w, h = box(page, '#network .neuron[data-layer="2"][data-neuron="3"]', scroll=True)
    page.mouse("mouseMoved", x + w / 2, y + h / 2)
    page.mouse("mousePressed", x + w / 2, y + h / 2)
    page.mouse("mouseReleased", x + w / 2, y + h / 2)
    image = page.evaluate("[document.getElementById('neuron-map').dataset.layer, "
                          "document.getElementById('neuron-map').dataset.neuron]")
    assert image == ["2", "3"]
    assert np.array_equal(png_of(page.evaluate("document.getElementById('neuron-map').src"), tmp_path), tile(2, 3))
    assert "output quadrant 4" in page.evaluate("document.getElementById('neuron-caption').textContent")
    # the keyboard: focus a hidden neuron and press Enter
    page.evaluate("document.querySelector('#network .neuron[data-layer=\"1\"][data-neuron=\"5\"]').focus()")
    page.key("Enter", "Enter", 13)
    assert np.array_equal(png_of(page.evaluate("document.getElementById('neuron-map').src"), tmp_path), tile(1, 5))
    assert tile(1, 5).shape == (MAP_SIZE, MAP_SIZE, 3) and not np.array_equal(tile(1, 5), tile(2, 3))


@needs_chromium
def test_the_page_fits_a_laptop_and_a_phone(page, tmp_path):
    path = tmp_path / "shot.png"
    for width, height in (LAPTOP, PHONE):
        page.resize(width, height, mobile=width < 500)
        page.evaluate("window.scrollTo(0, document.getElementById('training').offsetTop)")
        path.write_bytes(page.screenshot())
        shot = read_png(path)
        assert shot.shape == (height, width, 3)
        colours = np.unique(shot.reshape(-1, 3).astype(np.int64) @ [65536, 256, 1])
        assert len(colours) > 100 and np.mean(np.any(shot < 230, axis=2)) > 0.05, "the screenshot is blank"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        regions, chart = box(page, "#regions"), box(page, "#cost-chart")
        if width == LAPTOP[0]:
            assert abs(regions[1] - chart[1]) < 60 and chart[0] > regions[0] + regions[2]  # side by side
        else:
            assert chart[1] >= regions[1] + regions[3] and regions[2] <= width  # stacked
    page.resize(*LAPTOP)
