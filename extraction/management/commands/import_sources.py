"""Import every text file of a directory as a source, each on its own (and --extract)."""

import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from extraction.extractor import Extractor
from extraction.intake import import_file
from extraction.management.commands.import_source import import_options, outlet_from


class Command(BaseCommand):
    help = (
        "Import the *.txt files of a directory as sources, with a progress bar, then say what "
        "was imported and what was refused, and why. Each file is imported on its own: one "
        "that is refused leaves nothing behind and does not stop the others."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--pattern", default="*.txt", help="Which files (default *.txt).")
        import_options(parser)

    def handle(self, *args, directory, pattern, encoding, outlet, language, extract, **options):
        if not directory.is_dir():
            raise CommandError(f"No directory at {directory}.")
        files = sorted(path for path in directory.glob(pattern) if path.is_file())
        if not files:
            raise CommandError(f"No {pattern} files in {directory}.")
        outlet = outlet_from(outlet)
        extractor = Extractor.from_database() if extract else None
        started = time.perf_counter()
        imported, refused, candidates = [], [], Counter()
        for path in tqdm(files, unit="file", disable=options["verbosity"] == 0):
            result = import_file(
                path,
                encoding=encoding,
                extract=extract,
                extractor=extractor,
                outlet=outlet,
                language=language,
            )
            if result.refused is not None:
                refused.append((path.name, result.refused))
                continue
            imported.append(result)
            if result.summary is not None:
                candidates["quotes"] += result.summary.quotes
                candidates["troop figures"] += result.summary.troop_figures
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Imported {len(imported)} of {len(files)} files in {seconds:.1f} s"
            + (
                f", with {candidates['quotes']} candidate quotes and "
                f"{candidates['troop figures']} candidate troop figures."
                if extract
                else "."
            )
        )
        if refused:
            self.stdout.write(f"Refused {len(refused)}:")
            for name, why in refused:
                self.stdout.write(f"  {name}: {why.message}")
