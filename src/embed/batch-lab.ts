/**
 * Entry of the embed library build (`dist/embed/batch-lab.js`): a course page loads this one
 * file with `<script type="module" src=".../batch-lab.js"></script>` and can then use
 * `<batch-lab>` elements anywhere.
 */
import { defineBatchLab } from './element';

defineBatchLab();

export { BatchLabElement, defineBatchLab } from './element';
