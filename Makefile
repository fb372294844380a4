# Lanterne — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.lanterne-installed
export QT_QPA_PLATFORM ?= offscreen
# llama-cpp-python compiles llama.cpp from source. We build for a portable AVX2 baseline rather
# than -march=native: a native build on a CPU that advertises AMX enables AMX kernels, which
# segfault at the first token where the kernel does not grant AMX tile state (VMs, sandboxes,
# this CI). Set LLAMA_CMAKE_ARGS to build for a GPU (see README).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

.PHONY: setup run test test-fast bench lint clean translations screenshots package package-test notices

# Then the system libraries: Qt's xcb window libraries and the French/English text recognition
# models (installed with apt-get when run as root, e.g. in CI; otherwise the exact command is shown).
setup: $(STAMP)
	$(BIN)/python packaging/system_deps.py

# Re-installs only when the dependency list changed; otherwise `make setup` returns at once.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	# torch first and pinned: the CPU wheel. Anything unpinned would pull gigabytes of CUDA wheels.
	$(BIN)/python -m pip install -q torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: setup
	QT_QPA_PLATFORM= $(BIN)/lanterne

# The fast layer: pure logic, no model or worker process (under a minute; `make test` runs it too).
test-fast: setup
	$(BIN)/python -m pytest -q tests/unit

test: setup
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/lanterne bench index --pages 400
	$(BIN)/lanterne bench search --chunks 100000
	test ! -f ../shared/corpus/piaf/piaf-dev.json || $(BIN)/lanterne bench retrieval ../shared/corpus/piaf/piaf-dev.json
	test ! -f ../shared/corpus/piaf/piaf-dev.json || $(BIN)/lanterne bench evidence ../shared/corpus/piaf/piaf-dev.json
	$(BIN)/python -m desktop.bench --files 300
	$(BIN)/python -m desktop.bench --startup

# Refresh the translation sources from the code (existing translations are kept), then compile.
# New strings show up as unfinished in resources/translations/*.ts: translate them (Qt Linguist or
# a text editor); tests/desktop/test_translations.py fails until every string is translated.
translations: setup
	$(BIN)/pyside6-lupdate desktop/*.py -ts resources/translations/lanterne_fr.ts -no-obsolete -locations none
	$(BIN)/pyside6-lrelease resources/translations/lanterne_fr.ts -qm resources/translations/lanterne_fr.qm

# The installed app: a one-folder PyInstaller bundle in dist/lanterne (models, translations, icons
# inside), its size by component, and on Linux dist/lanterne-linux-x86_64.tar.gz (.desktop, icon,
# install.sh). Then `dist/lanterne/lanterne --selftest` proves it works offline.
package: setup
	$(BIN)/python -m pip install -q -e '.[package]'
	$(BIN)/python packaging/notices.py
	$(BIN)/python packaging/icons.py
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller packaging/lanterne.spec
	$(BIN)/python packaging/finish.py dist/lanterne

# Build the bundle, then run it as a user would (self-test offline, window, command line).
package-test: package
	LANTERNE_FROZEN=dist/lanterne/lanterne $(BIN)/python -m pytest -q tests/test_frozen.py

notices: setup
	$(BIN)/python packaging/notices.py

# Screenshots of every main screen from the real app in a real X window (needs Debian's xvfb).
screenshots: setup
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python -m desktop.screenshots docs/screenshots

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
