" .lhw files are LittleHorse workflows (editors/nvim, see editors/README.md).
autocmd BufRead,BufNewFile *.lhw setfiletype lhw
