"""nbgrader configuration of the course (used by `make release` and plain `nbgrader` commands).

Source notebooks live in solutions/<assignment>/, released student notebooks in notebooks/<assignment>/.
Grading work folders (submitted/, autograded/, feedback/, gradebook.db) belong to a course work
directory outside this repository: pass --CourseDirectory.root or run nbgrader there with its own config.
"""
c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "nncourse"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
# Hidden tests must not leak into feedback (nbgrader's default feedback shows them).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
